#!/usr/bin/env python3
"""Call every exported function of a module (no imports) under wasmtime, in
export order, each with zero arguments, and print one JSON line per call:

  {"export": NAME, "results": [["i32", "42"], ["f64", "0x3ff0000000000000"], ...]}
  {"export": NAME, "trap": true}
  {"export": NAME, "inconclusive": true}    (fuel ran out, or wasmtime refused)

Values are printed as bit patterns (decimal for integers, hex for floats) so
NaN payloads and signed zeros compare exactly. Used by WasmEngineTests'
differential test against sel4img's engine.

  scripts/wasmtime-invoke.py FILE.wasm FUEL
"""
import json
import struct
import sys

import wasmtime


def encode(value, kind):
    if kind == "i32":
        return ["i32", str(value & 0xFFFFFFFF)]
    if kind == "i64":
        return ["i64", str(value & 0xFFFFFFFFFFFFFFFF)]
    if kind == "f32":
        return ["f32", hex(struct.unpack("<I", struct.pack("<f", value))[0])]
    if kind == "f64":
        return ["f64", hex(struct.unpack("<Q", struct.pack("<d", value))[0])]
    return ["funcref" if kind == "funcref" else "externref", "null" if value is None else "ref"]


def zero(kind):
    return {"i32": 0, "i64": 0, "f32": 0.0, "f64": 0.0}.get(str(kind), None)


def main(path, fuel):
    config = wasmtime.Config()
    config.consume_fuel = True
    engine = wasmtime.Engine(config)
    store = wasmtime.Store(engine)
    try:
        module = wasmtime.Module.from_file(engine, path)
    except wasmtime.WasmtimeError:
        print(json.dumps({"module": "refused"}))
        return
    store.set_fuel(fuel)
    try:
        instance = wasmtime.Instance(store, module, [])
    except wasmtime.Trap:
        print(json.dumps({"instantiate": "trap"}))
        return
    exports = instance.exports(store)
    for export in module.exports:
        item = exports[export.name]
        if not isinstance(item, wasmtime.Func):
            continue
        ftype = item.type(store)
        store.set_fuel(fuel)
        kinds = [str(t) for t in ftype.results]
        try:
            out = item(store, *[zero(t) for t in ftype.params])
        except wasmtime.Trap as trap:
            if trap.trap_code == wasmtime.TrapCode.OUT_OF_FUEL or trap.trap_code == wasmtime.TrapCode.STACK_OVERFLOW:
                print(json.dumps({"export": export.name, "inconclusive": True}))
                return  # state may now differ: stop comparing this module
            print(json.dumps({"export": export.name, "trap": True}))
            continue
        except wasmtime.WasmtimeError:
            print(json.dumps({"export": export.name, "inconclusive": True}))
            return
        # wasmtime-py returns None for no result, the value for one, a list for several.
        values = [] if not kinds else ([out] if len(kinds) == 1 else list(out))
        print(json.dumps({"export": export.name, "results": [encode(v, k) for v, k in zip(values, kinds)]}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
