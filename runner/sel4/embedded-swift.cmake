#
# Embedded Swift for the Wasm runner, shared by the root task (CMakeLists.txt
# here) and the CAmkES component of the wasm-vm app: compiles the library
# modules below swift-modules/ (SEL4IMG_SWIFT_MODULES, in dependency order)
# and swift/Runner for aarch64-none-none-elf, one object per module.
#
# After include(): swift_objects (the objects, to link) and
# swift_unicode_tables (a library the objects need). Link with ld.lld: GNU ld
# 2.40 refuses the Swift objects ("copy relocation against non-copyable
# protected symbol"); see swift_link_options.
#
set(swift_runner_dir "${CMAKE_CURRENT_LIST_DIR}")
set(
    SEL4IMG_SWIFT_TOOLCHAIN
    ""
    CACHE PATH "Swift toolchain root (holding usr/bin/swiftc) with Embedded Swift for aarch64-none-none-elf"
)
set(
    SEL4IMG_SWIFT_MODULES
    ""
    CACHE STRING "Swift library modules below swift-modules/, in dependency order"
)
if(SEL4IMG_SWIFT_TOOLCHAIN STREQUAL "")
    message(
        FATAL_ERROR
            "SEL4IMG_SWIFT_TOOLCHAIN is not set: pass -DSEL4IMG_SWIFT_TOOLCHAIN=DIR, where DIR/usr/bin/swiftc is a Swift 6 toolchain with Embedded Swift (sel4img does this itself)"
    )
endif()
set(swiftc "${SEL4IMG_SWIFT_TOOLCHAIN}/usr/bin/swiftc")
set(
    swift_unicode_tables
    "${SEL4IMG_SWIFT_TOOLCHAIN}/usr/lib/swift/embedded/aarch64-none-none-elf/libswiftUnicodeDataTables.a"
)
foreach(needed IN ITEMS "${swiftc}" "${swift_unicode_tables}")
    if(NOT EXISTS "${needed}")
        message(FATAL_ERROR "${needed} does not exist: SEL4IMG_SWIFT_TOOLCHAIN must be a toolchain with Embedded Swift for aarch64-none-none-elf")
    endif()
endforeach()
# Swift records source paths (e.g. in #file); mapping the workspace to "."
# keeps the root task's bytes the same in any directory. Each object's
# .swift_modhash section (a hash of the LLVM module, which names the source
# files by absolute path) is removed for the same reason.
set(swift_objcopy "${SEL4IMG_SWIFT_TOOLCHAIN}/usr/bin/llvm-objcopy")
if(NOT EXISTS "${swift_objcopy}")
    set(swift_objcopy "${CMAKE_OBJCOPY}")
endif()
get_filename_component(workspace_dir "${swift_runner_dir}/../.." REALPATH)
set(swift_out "${CMAKE_CURRENT_BINARY_DIR}/swift")
file(MAKE_DIRECTORY "${swift_out}")
set(
    swift_flags
    -target aarch64-none-none-elf
    -enable-experimental-feature Embedded
    -enable-experimental-feature Extern
    -wmo
    -parse-as-library
    -Osize
    -Xfrontend -function-sections
    -Xfrontend -disable-stack-protector
    # The interpreter's threaded code needs every handler's call of the next to be a jump, which
    # LLVM's function merging can undo (see Package.swift; scripts/check-embedded.sh checks it).
    -Xfrontend -disable-llvm-merge-functions-pass
    -module-cache-path "${swift_out}/module-cache"
    -file-prefix-map "${workspace_dir}=."
    -file-prefix-map "${CMAKE_BINARY_DIR}=build"
    -I "${swift_out}"
)

# One object per module, each compiled whole-module, in dependency order.
set(swift_objects "")
set(swift_interfaces "")
foreach(module IN LISTS SEL4IMG_SWIFT_MODULES)
    file(
        GLOB_RECURSE module_sources
        CONFIGURE_DEPENDS "${swift_runner_dir}/swift-modules/${module}/*.swift"
    )
    list(SORT module_sources)
    if(NOT module_sources)
        message(FATAL_ERROR "swift-modules/${module} holds no .swift files")
    endif()
    add_custom_command(
        OUTPUT "${swift_out}/${module}.o" "${swift_out}/${module}.swiftmodule"
        COMMAND
            "${swiftc}" ${swift_flags} -module-name ${module} -emit-module -emit-module-path
            "${swift_out}/${module}.swiftmodule" -c ${module_sources} -o "${swift_out}/${module}.o"
        COMMAND "${swift_objcopy}" --remove-section .swift_modhash "${swift_out}/${module}.o"
        DEPENDS ${module_sources} ${swift_interfaces}
        COMMENT "Compiling Swift module ${module} (Embedded Swift, aarch64-none-none-elf)"
        VERBATIM
    )
    list(APPEND swift_objects "${swift_out}/${module}.o")
    list(APPEND swift_interfaces "${swift_out}/${module}.swiftmodule")
endforeach()

file(GLOB runner_sources CONFIGURE_DEPENDS "${swift_runner_dir}/swift/Runner/*.swift")
list(SORT runner_sources)
file(GLOB runner_headers CONFIGURE_DEPENDS "${swift_runner_dir}/include/CRunner/*")
add_custom_command(
    OUTPUT "${swift_out}/Runner.o"
    COMMAND
        "${swiftc}" ${swift_flags} -I "${swift_runner_dir}/include" -module-name Runner -c
        ${runner_sources} -o "${swift_out}/Runner.o"
    COMMAND "${swift_objcopy}" --remove-section .swift_modhash "${swift_out}/Runner.o"
    DEPENDS ${runner_sources} ${runner_headers} ${swift_interfaces}
    COMMENT "Compiling Swift module Runner (Embedded Swift, aarch64-none-none-elf)"
    VERBATIM
)
list(APPEND swift_objects "${swift_out}/Runner.o")


set(swift_link_options "-B${SEL4IMG_SWIFT_TOOLCHAIN}/usr/bin" -fuse-ld=lld)
