// swift-tools-version: 6.0
//
// The modules follow the data flow, lowest first:
//   Support (processes, progress, hashing, errors)
//   CGit2 → Git (the only Swift module that sees libgit2)
//   Manifest (repo XML) → Workspace (fetch, checkout, lock, mirror, bundle)
//   Patches (verified patch sets applied with libgit2)
//   DTS (libfdt), CPIO (libarchive): device trees and archives
//   DiskImage (MBR, FAT32, block maps) → Flash (writing images to disks safely)
//   Boards (board and app files) → ImageAssembly (boot blobs, boot scripts, the boot disk)
//   → GuestImage (a Linux guest's kernel, initramfs and DTB)
//   → ImageBuild (seL4's CMake/Ninja build, artifacts)
//   Emulator (QEMU with pass/fail detection), Doctor (host tools)
//   → Boot (a build's boot plan: medium, QEMU command line, console expectations)
//   WasmEngine (WebAssembly decoder, validator, interpreter; Embedded-Swift clean)
//   → WASI (preview1 over an abstract platform; Embedded-Swift clean)
//   → WasmHost (the Linux platform: `sel4img wasm run`); runner/sel4 is the seL4 side
//   Commands (one subcommand per file) → sel4img (thin @main)
import PackageDescription

let package = Package(
    name: "sel4img",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "sel4img", targets: ["sel4img"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // posix_spawn's GNU extensions (chdir, closefrom) for ProcessRunner.
        .target(name: "CSpawn"),
        .target(name: "Support", dependencies: ["COpenSSL", "CSpawn"]),
        .systemLibrary(name: "CGit2", pkgConfig: "libgit2", providers: [.apt(["libgit2-dev"])]),
        .target(name: "Git", dependencies: ["CGit2", "Support"]),
        .target(name: "Manifest", dependencies: ["Support"]),
        .target(name: "Workspace", dependencies: ["Git", "Manifest", "Support"]),
        .target(name: "Patches", dependencies: ["Git", "Workspace", "Support"]),
        .systemLibrary(name: "CFDT", providers: [.apt(["libfdt-dev"])]),
        .target(name: "DTS", dependencies: ["CFDT", "Support"]),
        .systemLibrary(name: "CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
        .target(name: "CPIO", dependencies: ["CArchive", "Support"]),
        .target(name: "DiskImage", dependencies: ["Support"]),
        .target(name: "Flash", dependencies: ["DiskImage", "Support"]),
        .target(name: "ImageAssembly", dependencies: ["Boards", "CPIO", "DiskImage", "Support"]),
        .target(name: "Boards", dependencies: ["Support", .product(name: "Yams", package: "Yams")]),
        .target(name: "GuestImage", dependencies: ["Boards", "CPIO", "DTS", "ImageAssembly", "Support"]),
        .target(name: "ImageBuild", dependencies: ["Boards", "Workspace", "Patches", "DTS", "ImageAssembly", "CPIO", "GuestImage", "WasmEngine", "WasmHost", "Doctor", "Support"]),
        .target(name: "Emulator", dependencies: ["Support"]),
        .target(name: "Boot", dependencies: ["Boards", "DiskImage", "Emulator", "ImageAssembly", "ImageBuild", "Support"]),
        .target(name: "Doctor", dependencies: ["Support"]),
        // WasmEngine and WASI use only the Swift standard library (and calloc, declared with
        // @_extern(c), for linear memories): scripts/check-embedded.sh compiles them as Embedded
        // Swift for aarch64-none-none-elf (the seL4 runner).
        // The interpreter is threaded code: each instruction's handler ends by calling the next
        // one's, which the optimizer makes a jump (scripts/check-embedded.sh checks every handler).
        // LLVM's function merging would turn handlers that differ only in one callee into calls of
        // a shared function with a seventh, stack-passed argument, which cannot be a jump; and
        // handlers need no frame pointer (a leaf's), which SwiftPM's -fno-omit-frame-pointer forces.
        // (Aligning every function to 64 bytes, -align-all-functions=6, made CoreMark 18% slower
        // in the sel4img binary, though 4% faster in a small harness: where handlers fall matters
        // to this CPU's branch predictors, and no one layout is best; it is left to the linker.)
        .target(name: "WasmEngine", swiftSettings: [
            .enableExperimentalFeature("Extern"),
            .unsafeFlags(["-Xfrontend", "-disable-llvm-merge-functions-pass", "-Xcc", "-momit-leaf-frame-pointer"]),
        ]),
        .target(name: "WASI", dependencies: ["WasmEngine"]),
        .target(name: "WasmHost", dependencies: ["WASI", "WasmEngine", "Support"]),
        .target(
            name: "Commands",
            dependencies: [
                "Workspace", "Patches", "Boards", "ImageBuild", "Boot", "Emulator", "Doctor", "DTS", "CPIO", "Flash", "ImageAssembly", "WasmHost", "Support",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // `sel4img --version`: the version and commit, generated into the build directory.
            plugins: ["BuildInfo"]
        ),
        .plugin(name: "BuildInfo", capability: .buildTool()),
        .executableTarget(name: "sel4img", dependencies: ["Commands"]),

        .target(name: "TestSupport", dependencies: ["Support"], path: "Tests/TestSupport"),
        .testTarget(name: "SupportTests", dependencies: ["Support", "TestSupport"]),
        .testTarget(name: "ManifestTests", dependencies: ["Manifest", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "WorkspaceTests", dependencies: ["Workspace", "Git", "Manifest", "TestSupport"]),
        .testTarget(name: "PatchesTests", dependencies: ["Patches", "Workspace", "TestSupport"]),
        .testTarget(name: "BoardsTests", dependencies: ["Boards", "Doctor", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ImageBuildTests", dependencies: ["ImageBuild", "WasmEngine", "WasmHost", "TestSupport"]),
        .testTarget(name: "DTSTests", dependencies: ["DTS", "TestSupport"]),
        .testTarget(name: "CPIOTests", dependencies: ["CPIO", "TestSupport"]),
        .testTarget(name: "DiskImageTests", dependencies: ["DiskImage", "TestSupport"]),
        .testTarget(name: "GuestImageTests", dependencies: ["GuestImage", "Boards", "DTS", "CPIO", "ImageAssembly", "Support", "TestSupport"]),
        .testTarget(name: "ImageAssemblyTests", dependencies: ["ImageAssembly", "Boards", "TestSupport"]),
        .testTarget(name: "FlashTests", dependencies: ["Flash", "DiskImage", "TestSupport"]),
        .testTarget(name: "EmulatorTests", dependencies: ["Emulator", "TestSupport"]),
        .testTarget(name: "WasmEngineTests", dependencies: ["WasmEngine", "TestSupport"], resources: [.copy("Conformance")]),
        .testTarget(name: "WASITests", dependencies: ["WASI", "WasmHost", "WasmEngine", "TestSupport"]),
        .testTarget(name: "CommandsTests", dependencies: ["Commands", "Boot", "Boards", "ImageBuild", "Emulator", "Flash", "WasmHost", "TestSupport"]),
        // Runs only with SEL4IMG_TEST_MIRROR naming an offline mirror of the seL4 repositories.
        .testTarget(name: "IntegrationTests", dependencies: ["TestSupport"]),
    ]
)
