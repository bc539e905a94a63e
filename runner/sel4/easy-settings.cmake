#
# The Wasm runner's top-level settings (read by settings.cmake; sel4img passes
# them as -D on its command line, and init-build.sh/griddle users may too).
#
# sel4img copies this project to projects/wasm-runner in the workspace and
# links this file there as easy-settings.cmake, the way seL4's own projects
# are laid out (see apps/wasm-runner.yaml).
#
set(PLATFORM "qemu-arm-virt" CACHE STRING "seL4 platform to build for")
set(SIMULATION OFF CACHE BOOL "Build for a simulator")
set(RELEASE OFF CACHE BOOL "Performance-optimised build (no kernel printing: the runner needs it)")
set(VERIFICATION OFF CACHE BOOL "Only verification-friendly kernel features")
set(KernelSel4Arch "" CACHE STRING "aarch64")
