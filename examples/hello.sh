# Commands `sel4img qemu --script examples/hello.sh` types into the wasm-vm
# guest's shell, one per line: emit hands the module (built into the guest's
# /wasm with --wasm examples/hello.wasm) to the Wasm runner beside the guest,
# and prints what it printed.
emit /wasm/hello.wasm
