import Foundation

/// One host tool (or Python module) the seL4 build needs, and where to get it.
public struct HostCheck: Sendable, Equatable, Codable {
    /// What is looked for.
    public enum Target: Sendable, Equatable, Codable {
        /// An executable found on PATH.
        case program(String)
        /// A module `python3` can import.
        case pythonModule(String)
    }

    /// The package that provides the tool.
    public struct Provider: Sendable, Equatable, Codable {
        public enum Manager: String, Sendable, Equatable, Codable {
            /// Debian's package manager.
            case apt
            /// Python's package installer (PyPI).
            case pip
        }

        public var manager: Manager
        public var package: String
        /// The Debian suite to take it from when the stable one is too old
        /// (`bookworm-backports`, added to APT's sources by scripts/setup.sh).
        public var release: String?

        public init(_ manager: Manager, _ package: String, release: String? = nil) {
            self.manager = manager
            self.package = package
            self.release = release
        }

        /// The command that installs it: `apt-get install cmake`, `pip install sel4-deps`,
        /// `apt-get install -t bookworm-backports qemu-system-arm`.
        public var installCommand: String {
            switch manager {
            case .apt: return "apt-get install \(release.map { "-t \($0) " } ?? "")\(package)"
            case .pip: return "pip install \(package)"
            }
        }
    }

    /// The name people and `Doctor.require` use: the program name, or
    /// `python3 module <import name>`.
    public var name: String
    public var target: Target
    /// Whether a build cannot work without it.
    public var required: Bool
    /// Why the build needs it, completing "which is required to …".
    public var purpose: String
    public var provider: Provider
    /// Arguments that make the program print its version (e.g. `--version`).
    public var versionArguments: [String]?
    /// The oldest acceptable version, as dotted numbers.
    public var minimumVersion: String?

    public init(name: String, target: Target, required: Bool, purpose: String, provider: Provider,
                versionArguments: [String]? = nil, minimumVersion: String? = nil) {
        self.name = name
        self.target = target
        self.required = required
        self.purpose = purpose
        self.provider = provider
        self.versionArguments = versionArguments
        self.minimumVersion = minimumVersion
    }

    /// A program on PATH.
    public static func program(_ name: String, required: Bool = true, purpose: String, apt package: String, release: String? = nil,
                               versionArguments: [String]? = ["--version"], minimumVersion: String? = nil) -> HostCheck {
        HostCheck(name: name, target: .program(name), required: required, purpose: purpose,
                  provider: Provider(.apt, package, release: release), versionArguments: versionArguments, minimumVersion: minimumVersion)
    }

    /// A Python module that seL4's build scripts import, from PyPI's `sel4-deps`.
    public static func python(_ module: String, required: Bool = true, purpose: String,
                              pip package: String = "sel4-deps") -> HostCheck {
        HostCheck(name: "python3 module \(module)", target: .pythonModule(module), required: required,
                  purpose: purpose, provider: Provider(.pip, package))
    }
}

extension HostCheck {
    /// Everything seL4's CMake/Ninja build of sel4test for aarch64, and
    /// sel4img's packaging and QEMU runs, use on the host.
    public static let standard: [HostCheck] = [
        .program("cmake", purpose: "configure seL4's build", apt: "cmake", minimumVersion: "3.16"),
        .program("ninja", purpose: "run seL4's build", apt: "ninja-build"),
        .program("aarch64-linux-gnu-gcc", purpose: "cross-compile seL4 for aarch64", apt: "gcc-aarch64-linux-gnu"),
        .program("aarch64-linux-gnu-g++", purpose: "cross-compile seL4 for aarch64", apt: "g++-aarch64-linux-gnu"),
        .program("dtc", purpose: "compile seL4's device trees", apt: "device-tree-compiler"),
        .program("protoc", purpose: "generate nanopb code for sel4test", apt: "protobuf-compiler"),
        .program("xmllint", purpose: "validate seL4's system call definitions", apt: "libxml2-utils"),
        .program("cpio", purpose: "pack the seL4 image's archive", apt: "cpio"),
        .program("python3", purpose: "run seL4's build scripts", apt: "python3"),
        // qemu-virt runs on any QEMU from 3.1; rpi4 needs the raspi4b machine (QEMU 9).
        .program("qemu-system-aarch64", required: false, purpose: "run images on qemu-virt and on rpi4 (QEMU's raspi4b machine needs 9.0)",
                 apt: "qemu-system-arm", release: "bookworm-backports", minimumVersion: "9.0"),
        .program("ccache", required: false, purpose: "share compiled objects between builds (--cache, SEL4IMG_CACHE)", apt: "ccache"),
        .program("mkimage", required: false, purpose: "make U-Boot images and boot scripts",
                 apt: "u-boot-tools", versionArguments: ["-V"]),
        .python("jinja2", purpose: "run seL4's code generators"),
        .python("yaml", purpose: "read seL4's hardware descriptions (PyYAML)"),
        .python("ply", purpose: "parse seL4's bitfield specifications"),
        .python("pyfdt", purpose: "read device trees in seL4's build"),
        .python("elftools", purpose: "read ELF files in seL4's build (pyelftools)"),
        .python("jsonschema", purpose: "validate seL4's hardware descriptions"),
        .python("lxml", purpose: "generate libsel4's system call stubs"),
        .python("libarchive", purpose: "place the elfloader image in memory (libarchive-c)"),
        .python("google.protobuf", purpose: "generate nanopb code for sel4test (protobuf)"),
        .program("ghc", required: false, purpose: "build CAmkES's capDL-tool for app wasm-vm, the default app (scripts/setup.sh installs it)",
                 apt: "ghc", versionArguments: ["--numeric-version"]),
        .python("plyplus", required: false, purpose: "run CAmkES's code generator for app wasm-vm", pip: "camkes-deps"),
        .python("aenum", required: false, purpose: "run CAmkES's code generator for app wasm-vm", pip: "camkes-deps"),
        .python("ordered_set", required: false, purpose: "run CAmkES's code generator for app wasm-vm", pip: "camkes-deps"),
        .python("six", required: false, purpose: "run older seL4 build scripts"),
        .python("future", required: false, purpose: "run older seL4 build scripts"),
    ]
}
