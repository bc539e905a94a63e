import Boards
import CPIO
import Foundation
import ImageAssembly
import Support

/// The files a Linux guest VM needs, built from an app's `guest` section into
/// one directory that seL4's CMake build reads:
///
///     linux         the kernel Image (the `kernel` blob, verified)
///     rootfs.cpio.gz  a gzip-compressed newc initramfs (the VMM loads only gzip): base directories, busybox,
///                   /dev/console and /dev/null, `kernelModules`, `files`, compiled `programs`
///                   and the `--wasm` modules under `modulesDirectory`
///     linux.dtb     `deviceTree` compiled (with `emulatedOverlay` applied when
///                   `emulated`), with /chosen's bootargs and the initramfs
///                   range (`initrdAddress` + size of rootfs.cpio.gz)
///
/// The same inputs and timestamp give the same bytes, and a file whose bytes
/// did not change is not rewritten, so Ninja rebuilds nothing.
public struct GuestImage: Sendable {
    /// A WebAssembly module for the guest: its file name and bytes.
    public struct Module: Sendable, Equatable {
        public var name: String
        public var bytes: Data

        public init(name: String, bytes: Data) {
            self.name = name
            self.bytes = bytes
        }
    }

    /// One file of the output directory and its artifact role.
    public struct OutputFile: Sendable, Equatable {
        public var role: String
        public var name: String
    }

    public static let kernelFile = "linux"
    public static let rootfsFile = "rootfs.cpio.gz"
    public static let deviceTreeFile = "linux.dtb"
    /// The outputs in the order they are built, with the roles they have among a build's artifacts.
    public static let outputFiles = [
        OutputFile(role: "guest-kernel", name: kernelFile),
        OutputFile(role: "guest-rootfs", name: rootfsFile),
        OutputFile(role: "guest-dtb", name: deviceTreeFile),
    ]

    public let guest: App.Guest
    /// The app file as messages show it (`apps/wasm-vm.yaml`).
    public let appFile: String
    /// The sel4img checkout that `files`, `programs` and `deviceTree` are relative to.
    public let repository: URL
    /// Every initramfs entry's mtime (SOURCE_DATE_EPOCH), also given to the compiler.
    public var timestamp: Int64
    public var modules: [Module]
    public var blobs: BlobCache
    public var runner: ProcessRunner
    /// The C compiler for `programs`: static aarch64 Linux binaries.
    public var compiler: String
    /// Whether the build is for the board's QEMU machine (`--emulated`):
    /// then the device tree gets `guest.emulatedOverlay`.
    public var emulated: Bool

    public init(guest: App.Guest, appFile: String, repository: URL, timestamp: Int64 = 0, modules: [Module] = [],
                blobs: BlobCache = .standard, runner: ProcessRunner = ProcessRunner(), compiler: String = "aarch64-linux-gnu-gcc",
                emulated: Bool = false) {
        self.guest = guest
        self.emulated = emulated
        self.appFile = appFile
        self.repository = repository
        self.timestamp = timestamp
        self.modules = modules
        self.blobs = blobs
        self.runner = runner
        self.compiler = compiler
    }

    /// What `build` made.
    public struct Outputs: Sendable, Equatable {
        public var directory: URL
        /// The files that were written this time (the others already had these bytes).
        public var rewritten: [String]
        public var rootfsSize: Int
        public var rootfsEntries: Int

        public func url(_ name: String) -> URL { directory.appendingPathComponent(name) }
    }

    func error(_ kind: GuestImageError.Kind, _ key: String?, _ message: String, hint: String? = nil) -> GuestImageError {
        GuestImageError(kind, file: appFile, keyPath: key, message, hint: hint)
    }

    /// Checks that every file of the checkout the guest names is there, and
    /// that every guest path is usable, before any work.
    public func checkSources() throws {
        func check(_ relative: String, _ key: String) throws {
            if let problem = SafePath.problem(with: relative) {
                throw error(.invalidInput, key, "the source path \(problem)")
            }
            let url = SafePath.join(repository, relative)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
                throw error(.missingSource, key, "\(relative) does not exist in the sel4img checkout at \(repository.path)")
            }
            if isDirectory.boolValue {
                throw error(.missingSource, key, "\(relative) in the sel4img checkout at \(repository.path) is a directory, not a file")
            }
        }
        try check(guest.deviceTree, "guest.deviceTree")
        if let overlay = appliedOverlay { try check(overlay, "guest.emulatedOverlay") }
        for file in guest.files {
            try check(file.source, "guest.files.\(file.source)")
        }
        for program in guest.programs {
            if program.sources.isEmpty { throw error(.invalidInput, "guest.programs.\(program.path)", "must name at least one source file") }
            for (index, source) in program.sources.enumerated() {
                try check(source, "guest.programs.\(program.path)[\(index)]")
            }
        }
        let paths = [("guest.modulesDirectory", guest.modulesDirectory)] + guest.files.map { ("guest.files.\($0.source)", $0.path) }
            + guest.programs.map { ("guest.programs.\($0.path)", $0.path) }
        for (key, path) in paths {
            if let problem = GuestPath.problem(with: path) { throw error(.invalidInput, key, "the guest path '\(path)' \(problem)") }
        }
        for module in modules {
            if let problem = Self.moduleNameProblem(module.name) {
                throw error(.invalidInput, nil, "the WebAssembly module name '\(module.name)' \(problem)")
            }
        }
    }

    /// The overlay this build applies to the device tree: `emulatedOverlay`
    /// when `emulated`, else none.
    public var appliedOverlay: String? { emulated ? guest.emulatedOverlay : nil }

    /// Why a module's file name cannot be a file in the modules directory, or nil.
    static func moduleNameProblem(_ name: String) -> String? {
        if name.isEmpty { return "is empty" }
        if name.contains("/") { return "contains '/'" }
        if name == "." || name == ".." { return "names a directory" }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return "contains a control character" }
        return nil
    }

    /// Builds the three files into `directory` (created when absent).
    @discardableResult
    public func build(into directory: URL, progress: any ProgressReporter = QuietProgress()) throws -> Outputs {
        try checkSources()
        try Output.createDirectory(directory)
        var rewritten: [String] = []

        let kernel = try fetch("guest kernel", guest.kernel, key: "guest.kernel", progress: progress)
        try checkKernelImage(kernel)
        if try Output.install(kernel, sha256: guest.kernel.sha256, as: directory.appendingPathComponent(Self.kernelFile)) {
            rewritten.append(Self.kernelFile)
        }

        let busybox = try fetch("guest busybox", guest.busybox, key: "guest.busybox", progress: progress)
        let kernelModules = try fetchKernelModules(kernel: kernel, progress: progress)
        let programs = try compilePrograms(progress: progress)
        let archive = try rootfs(busybox: busybox, programs: programs, kernelModules: kernelModules)
        checkInit(archive, progress: progress)
        let rootfs = directory.appendingPathComponent(Self.rootfsFile)
        let staging = directory.appendingPathComponent(".\(Self.rootfsFile).new")
        defer { try? FileManager.default.removeItem(at: staging) }
        do {
            try archive.write(to: staging, options: CPIOWriteOptions(compression: .gzip, timestamp: timestamp))
        } catch let failure as CPIOError {
            throw error(.io, nil, "cannot write the guest's initramfs \(rootfs.path): \(failure.message)", hint: failure.hint)
        }
        if try Output.replace(rootfs, with: staging) { rewritten.append(Self.rootfsFile) }
        let size = try Output.size(of: rootfs)

        let dtb = try deviceTree(initrdSize: UInt64(size))
        if try Output.write(Data(dtb), to: directory.appendingPathComponent(Self.deviceTreeFile)) {
            rewritten.append(Self.deviceTreeFile)
        }

        let outputs = Outputs(directory: directory, rewritten: rewritten, rootfsSize: size, rootfsEntries: archive.entries.count)
        let what = "\(Self.kernelFile), \(Self.rootfsFile) (\(archive.entries.count) entries, \(Self.kib(size))), \(Self.deviceTreeFile)"
        progress.update("guest", rewritten.isEmpty
            ? "up to date: \(what)"
            : "done: \(what); written: \(rewritten.joined(separator: ", "))")
        return outputs
    }

    /// A verified copy of a blob from the cache (downloaded when needed).
    func fetch(_ name: String, _ blob: Blob, key: String, progress: any ProgressReporter) throws -> URL {
        do {
            return try blobs.fetch(name, blob, progress: progress)
        } catch let failure as BlobError {
            throw error(.blob, key, failure.message, hint: failure.hint)
        }
    }

    /// The kernel's modules from its archive, each checked against the kernel:
    /// the release its `vermagic` names must be the one in the Image's
    /// `Linux version RELEASE` banner, or the kernel would refuse it at boot.
    func fetchKernelModules(kernel: URL, progress: any ProgressReporter) throws -> [(member: String, url: URL)] {
        guard !guest.kernelModules.isEmpty else { return [] }
        let image: Data
        do {
            image = try Data(contentsOf: kernel, options: .mappedIfSafe)
        } catch {
            throw self.error(.io, "guest.kernel", "cannot read \(kernel.path): \(error.localizedDescription)")
        }
        guard let release = Self.word(after: "Linux version ", in: image) else {
            throw error(.badKernel, "guest.kernel", "the kernel (\(guest.kernel.sourceDescription)) has no 'Linux version' banner, so its modules cannot be checked against it")
        }
        var modules: [(member: String, url: URL)] = []
        for (index, blob) in guest.kernelModules.enumerated() {
            let member = blob.member ?? ""
            let key = "guest.kernelModules[\(index)]"
            let url = try fetch("guest kernel module \((member as NSString).lastPathComponent)", blob, key: key, progress: progress)
            let bytes: Data
            do {
                bytes = try Data(contentsOf: url)
            } catch {
                throw self.error(.io, key, "cannot read \(url.path): \(error.localizedDescription)")
            }
            guard let vermagic = Self.word(after: "vermagic=", in: bytes) else {
                throw error(.badKernel, key, "\(member) is not a kernel module: it has no 'vermagic=' in its .modinfo")
            }
            guard vermagic == release else {
                throw error(.badKernel, key, "\(member) is built for kernel \(vermagic), but the kernel's Image is \(release); the kernel would refuse it",
                            hint: "take the modules from the same linux-image package as the kernel")
            }
            modules.append((member, url))
        }
        return modules
    }

    /// The bytes after the first `prefix` in `data`, up to a space or NUL, as text.
    static func word(after prefix: String, in data: Data) -> String? {
        guard let range = data.range(of: Data(prefix.utf8)) else { return nil }
        let rest = data[range.upperBound...].prefix(256)
        let end = rest.firstIndex { $0 == 0x20 || $0 == 0 || $0 == 0x0A } ?? rest.endIndex
        let word = rest[rest.startIndex..<end]
        return word.isEmpty ? nil : String(decoding: word, as: UTF8.self)
    }

    /// The arm64 boot protocol's header: "ARM\x64" at offset 0x38.
    func checkKernelImage(_ url: URL) throws {
        let head: Data
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            head = try handle.read(upToCount: 64) ?? Data()
        } catch {
            throw self.error(.io, "guest.kernel", "cannot read \(url.path): \(error.localizedDescription)")
        }
        let bytes = [UInt8](head)
        if bytes.count >= 64, Array(bytes[56..<60]) == [0x41, 0x52, 0x4D, 0x64] { return }
        if bytes.starts(with: [0x1F, 0x8B]) {
            throw error(.badKernel, "guest.kernel", "the kernel (\(guest.kernel.sourceDescription)) is gzip-compressed; the VMM loads an uncompressed arm64 Image",
                        hint: "give the uncompressed Image (arch/arm64/boot/Image; Debian's vmlinuz for arm64 is one)")
        }
        throw error(.badKernel, "guest.kernel", "the kernel (\(guest.kernel.sourceDescription)) is not an arm64 Linux Image: it lacks the 'ARM\\x64' magic at offset 0x38",
                    hint: "give the uncompressed Image (arch/arm64/boot/Image; Debian's vmlinuz for arm64 is one)")
    }

    /// Warns when the command line's `rdinit=` names nothing in the initramfs:
    /// the kernel would fall back to mounting a root file system it does not have.
    func checkInit(_ archive: CPIOArchive, progress: any ProgressReporter) {
        let words = guest.bootargs.split(separator: " ")
        let rdinit = words.last { $0.hasPrefix("rdinit=") }.map { String($0.dropFirst("rdinit=".count)) } ?? "/init"
        guard let entry = archive[rdinit], case .file = entry.kind else {
            progress.note("warning: \(appFile): the guest's init \(rdinit) is not a file in the initramfs; add it under 'guest.files'")
            return
        }
        if entry.mode & 0o111 == 0 {
            progress.note("warning: \(appFile): the guest's init \(rdinit) is not executable; give it mode \"0755\" in 'guest.files'")
        }
    }

    static func kib(_ bytes: Int) -> String {
        bytes >= 1 << 20 ? String(format: "%.1f MiB", Double(bytes) / 1_048_576) : "\((bytes + 1023) >> 10) KiB"
    }
}

/// Writing outputs only when their bytes change, through a temporary file and a rename.
enum Output {
    static func createDirectory(_ url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw GuestImageError(.io, "cannot create the guest directory \(url.path): \(error.localizedDescription)")
        }
    }

    static func size(of url: URL) throws -> Int {
        do {
            return try (FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        } catch {
            throw GuestImageError(.io, "cannot read \(url.path): \(error.localizedDescription)")
        }
    }

    /// Moves `staging` over `destination` unless that has the same bytes; returns whether it did.
    static func replace(_ destination: URL, with staging: URL) throws -> Bool {
        do {
            return try FileManager.default.replaceIfChanged(destination, with: staging)
        } catch let error as POSIXError {
            throw GuestImageError(.io, "cannot move \(staging.path) to \(destination.path): \(String(cString: strerror(error.code.rawValue)))")
        }
    }

    /// Writes `data` unless the file has these bytes already.
    static func write(_ data: Data, to url: URL) throws -> Bool {
        if let old = try? Data(contentsOf: url), old == data { return false }
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw GuestImageError(.io, "cannot write \(url.path): \(error.localizedDescription)")
        }
        return true
    }

    /// Copies a verified blob to `url` unless the file there already hashes to `sha256`.
    static func install(_ source: URL, sha256: String, as url: URL) throws -> Bool {
        let fm = FileManager.default
        if fm.fileExists(atPath: url.path), (try? SHA256Hex.ofFile(at: url)) == sha256 { return false }
        let staging = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).new")
        defer { try? fm.removeItem(at: staging) }
        do {
            try? fm.removeItem(at: staging)
            try fm.copyItem(at: source, to: staging)
            try fm.setAttributes([.posixPermissions: 0o644], ofItemAtPath: staging.path)
        } catch {
            throw GuestImageError(.io, "cannot copy \(source.path) to \(staging.path): \(error.localizedDescription)")
        }
        return try replace(url, with: staging)
    }
}
