#!/usr/bin/env python3
"""Run a WASI preview1 module under wasmtime (the PyPI `wasmtime` module), the
reference that `sel4img wasm run` is compared with in Tests/WASITests.

  scripts/wasmtime-run.py [--dir HOSTDIR[::GUESTDIR]]... [--env K=V]... FILE.wasm [ARGS...]

stdin, stdout and stderr are inherited; argv[0] is FILE as given; only --env
variables are set; --dir preopens read-only (like sel4img). Exit statuses as
sel4img's: the module's exit code (proc_exit, 0 when _start returns) when it
is 0-125; a trap prints the error on stderr and exits 134; an exit code
outside 0-125 is reported on stderr and exits 255.
"""
import sys

import wasmtime


def main(argv):
    dirs, env, i = [], [], 0
    while i < len(argv) and argv[i].startswith("--"):
        if argv[i] == "--":
            i += 1
            break
        if argv[i] in ("--dir", "--env") and i + 1 < len(argv):
            (dirs if argv[i] == "--dir" else env).append(argv[i + 1])
            i += 2
        else:
            print(f"wasmtime-run.py: unknown option {argv[i]}", file=sys.stderr)
            return 2
    if i >= len(argv):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path, args = argv[i], argv[i + 1:]

    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    config = wasmtime.WasiConfig()
    config.argv = [path] + args
    config.env = [tuple(pair.split("=", 1)) for pair in env]
    config.inherit_stdin()
    config.inherit_stdout()
    config.inherit_stderr()
    for spec in dirs:
        host, _, guest = spec.partition("::")
        config.preopen_dir(host, guest or host, fs_mutable=False)
    store.set_wasi(config)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    module = wasmtime.Module.from_file(engine, path)
    try:
        instance = linker.instantiate(store, module)
        instance.exports(store)["_start"](store)
    except wasmtime.ExitTrap as exit_trap:
        code = exit_trap.code & 0xFFFFFFFF
        if code > 125:
            print(f"{path}: exit code {code} is outside 0-125; exit status 255", file=sys.stderr)
            return 255
        return code
    except (wasmtime.Trap, wasmtime.WasmtimeError) as error:
        print(f"{path}: trap: {error}", file=sys.stderr)
        return 134
    return 0


if __name__ == "__main__":
    sys.stdout.flush()
    sys.exit(main(sys.argv[1:]))
