;; Imports and exports across instances: mutable globals shared by reference, functions,
;; tables and memories re-exported; link errors for unknown and mismatched imports.
(module $provider
  (global (export "counter") (mut i32) (i32.const 10))
  (global (export "constant") i64 (i64.const 99))
  (memory (export "memory") 1)
  (table (export "table") 2 funcref)
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "bump") (global.set 0 (i32.add (global.get 0) (i32.const 1))))
  (func (export "peek") (param i32) (result i32) (i32.load8_u (local.get 0)))
)
(register "provider" $provider)
(module $user
  (import "provider" "counter" (global $c (mut i32)))
  (import "provider" "constant" (global $k i64))
  (import "provider" "memory" (memory 1))
  (import "provider" "table" (table 2 funcref))
  (import "provider" "add" (func $add (param i32 i32) (result i32)))
  (import "spectest" "global_i32" (global $g i32))
  (global $derived i32 (global.get $g))
  (elem (i32.const 0) func $add)
  (func (export "set-counter") (param i32) (global.set $c (local.get 0)))
  (func (export "get-counter") (result i32) (global.get $c))
  (func (export "constant") (result i64) (global.get $k))
  (func (export "derived") (result i32) (global.get $derived))
  (func (export "poke") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "add") (param i32 i32) (result i32) (call $add (local.get 0) (local.get 1)))
)
(invoke $user "set-counter" (i32.const 41))
(invoke $provider "bump")
(assert_return (invoke $user "get-counter") (i32.const 42))
(assert_return (get $provider "counter") (i32.const 42))
(assert_return (invoke $user "constant") (i64.const 99))
(assert_return (invoke $user "derived") (i32.const 666))
(invoke $user "poke" (i32.const 7) (i32.const 0xab))
(assert_return (invoke $provider "peek" (i32.const 7)) (i32.const 0xab))
(assert_return (invoke $user "add" (i32.const 2) (i32.const 3)) (i32.const 5))
(assert_unlinkable
  (module (import "provider" "missing" (func)))
  "unknown import")
(assert_unlinkable
  (module (import "provider" "add" (func (param i32))))
  "incompatible import type")
(assert_unlinkable
  (module (import "provider" "counter" (global i32)))
  "incompatible import type")
(assert_unlinkable
  (module (import "provider" "memory" (memory 2)))
  "incompatible import type")
(assert_unlinkable
  (module (import "provider" "table" (table 1 1 funcref)))
  "incompatible import type")
(assert_trap
  (module (memory 1) (data (i32.const 65536) "x"))
  "out of bounds memory access")
(assert_trap
  (module (table 1 funcref) (func $f) (elem (i32.const 1) func $f))
  "out of bounds table access")
(assert_trap
  (module (func $s unreachable) (start $s))
  "unreachable")
