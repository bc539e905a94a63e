#
# wasm-vm's settings (read by camkes-vm-examples' settings.cmake): the VMM's
# virtual PCI bus for the runner's channel device, the guest's initramfs as
# a file, and what the runner needs from the kernel.
#
set(supported "qemu-arm-virt;rpi4;tx1;tx2")
if(NOT "${PLATFORM}" IN_LIST supported)
    message(FATAL_ERROR "PLATFORM: ${PLATFORM} not supported by wasm-vm. Supported: ${supported}")
endif()
set(VmPCISupport ON CACHE BOOL "" FORCE)
set(VmInitRdFile ON CACHE BOOL "" FORCE)
set(LibUSB OFF CACHE BOOL "" FORCE)
# WASI clocks read the generic timer's virtual counter from user level.
set(KernelArmExportVCNTUser ON CACHE BOOL "" FORCE)
if(${PLATFORM} STREQUAL "qemu-arm-virt")
    set(QEMU_MEMORY "2048")
    set(KernelArmCPU cortex-a53 CACHE STRING "" FORCE)
endif()
