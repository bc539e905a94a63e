#
# Initial cache for the Wasm runner (passed to CMake with -C), modelled on
# sel4test's settings.cmake: platform strings, debug kernel, and what the
# runner needs from the kernel and libraries.
#
cmake_minimum_required(VERSION 3.16.0)

set(project_dir "${CMAKE_CURRENT_LIST_DIR}/../..")
file(GLOB project_modules ${project_dir}/projects/*)
list(
    APPEND
        CMAKE_MODULE_PATH
        ${project_dir}/kernel
        ${project_dir}/tools/seL4/cmake-tool/helpers/
        ${project_dir}/tools/seL4/elfloader-tool/
        ${project_modules}
)

set(SEL4_CONFIG_DEFAULT_ADVANCED ON)

include(application_settings)

include(${CMAKE_CURRENT_LIST_DIR}/easy-settings.cmake)

correct_platform_strings()

find_package(seL4 REQUIRED)
sel4_configure_platform_settings()

set(valid_platforms ${KernelPlatform_all_strings} ${correct_platform_strings_platform_aliases})
set_property(CACHE PLATFORM PROPERTY STRINGS ${valid_platforms})
if(NOT "${PLATFORM}" IN_LIST valid_platforms)
    message(FATAL_ERROR "Invalid PLATFORM selected: \"${PLATFORM}\"
Valid platforms are: \"${valid_platforms}\"")
endif()

if(NOT KernelSel4ArchAarch64)
    message(FATAL_ERROR "the Wasm runner is built for aarch64 only (AARCH64=TRUE): its Swift code is compiled for aarch64-none-none-elf")
endif()
set(KernelArmTLSReg tpidru CACHE STRING "" FORCE)

if(KernelPlatformQEMUArmVirt)
    set(SIMULATION ON CACHE BOOL "" FORCE)
endif()
if(SIMULATION)
    ApplyCommonSimulationSettings(${KernelSel4Arch})
endif()
# A debug kernel: the runner prints through seL4_DebugPutChar.
ApplyCommonReleaseVerificationSettings(${RELEASE} ${VERIFICATION})

set(KernelNumDomains 1 CACHE STRING "" FORCE)
set(KernelMaxNumNodes 1 CACHE STRING "" FORCE)
set(KernelIsMCS OFF CACHE BOOL "" FORCE)

# WASI clocks read the ARM generic timer's virtual counter (CNTVCT_EL0) and
# its frequency (CNTFRQ_EL0) from user level.
set(KernelArmExportVCNTUser ON CACHE BOOL "" FORCE)

# The runner brings its own heap (src/heap.c): no static morecore area in
# libsel4muslcsys.
set(LibSel4MuslcSysMorecoreBytes 0 CACHE STRING "" FORCE)
# The root task's stack (sel4runtime's default is 16 KiB). The interpreter
# keeps wasm frames on its own heap stack, but Swift code is not frugal.
set(Sel4RuntimeRootStack 1048576 CACHE STRING "" FORCE)
