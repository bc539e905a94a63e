/*
 * The modules archive sel4img wrote (newc CPIO: modules.txt and modules/),
 * embedded in the root task's read-only data. CMake passes its path as
 * WASM_RUNNER_ARCHIVE_PATH and makes this file depend on it.
 */
    .section .rodata.wasm_runner_archive, "a"
    .balign 16
    .global wasm_runner_archive
wasm_runner_archive:
    .incbin WASM_RUNNER_ARCHIVE_PATH
    .global wasm_runner_archive_end
wasm_runner_archive_end:
    .byte 0
