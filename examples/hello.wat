;; The example module in README.md's first commands: a WASI command that
;; prints one line. hello.wasm is this file compiled by `wat2wasm hello.wat`
;; (wabt); ExampleModuleTests checks the two agree and what it prints.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; iovec {base 16, length 33} at 0; the text at 16.
  (data (i32.const 0) "\10\00\00\00\21\00\00\00")
  (data (i32.const 16) "Hello from a Wasm module on seL4\n")
  (func (export "_start")
    ;; fd 1 (stdout), one iovec at 0, bytes written to 8.
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
