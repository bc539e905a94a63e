import Foundation
import Support

extension App {
    /// An app whose seL4 system runs a Linux guest VM: sel4img builds the
    /// guest's kernel, DTB and initramfs into one directory and passes its path
    /// to CMake in `directorySetting` (see `Sources/GuestImage`).
    ///
    /// ```yaml
    /// guest:
    ///   kernel: {url: …/linux-image-6.1.0-50-arm64_6.1.176-1_arm64.deb, member: boot/vmlinuz-6.1.0-50-arm64, sha256: …}
    ///   busybox: {url: …/busybox-static_1.35.0-4+deb12u1+b1_arm64.deb, member: bin/busybox, sha256: …}
    ///   kernelModules:
    ///     - {member: lib/modules/6.1.0-50-arm64/kernel/drivers/uio/uio.ko, sha256: …}
    ///   deviceTree: runner/guest/qemu-arm-virt.dts
    ///   bootargs: "console=ttyAMA0 rdinit=/init"
    ///   initrdAddress: 0x4d700000
    ///   files:
    ///     runner/guest/init: {path: /init, mode: "0755"}
    ///   programs:
    ///     /usr/bin/emit: [runner/guest/emit.c]
    ///   modulesDirectory: /wasm
    ///   directorySetting: SEL4IMG_GUEST_DIR
    ///   boards:
    ///     tx1: {deviceTree: runner/guest/tx1.dts, bootargs: "console=ttyS0,115200 rdinit=/init", initrdAddress: 0x85000000}
    /// ```
    ///
    /// `boards` gives, per board, the settings that follow the VMM's memory
    /// map and devices there (and, optionally, `emulatedOverlay`: what a
    /// build for the board's QEMU machine changes in the device tree); the
    /// top-level ones serve every other board. `on(board:)` gives the guest
    /// a build of that board uses.
    public struct Guest: Sendable, Equatable, Codable {
        /// What one board's guest has instead of the top-level settings.
        public struct BoardSettings: Sendable, Equatable, Codable {
            public var deviceTree: String
            public var bootargs: String
            public var initrdAddress: UInt64
            /// A DTS overlay (`/plugin/`) applied to `deviceTree` in builds
            /// for the board's QEMU machine (`--emulated`) only: what the
            /// emulator's models need that the hardware must not get.
            public var emulatedOverlay: String?

            public init(deviceTree: String, bootargs: String, initrdAddress: UInt64, emulatedOverlay: String? = nil) {
                self.deviceTree = deviceTree
                self.bootargs = bootargs
                self.initrdAddress = initrdAddress
                self.emulatedOverlay = emulatedOverlay
            }
        }

        /// A file of the sel4img checkout copied into the guest's initramfs.
        public struct File: Sendable, Equatable, Codable {
            /// Relative to the sel4img checkout.
            public var source: String
            /// Absolute path in the guest, in normal form (`/etc/profile`).
            public var path: String
            /// Permission bits (0644 unless the file says otherwise).
            public var mode: UInt16

            public init(source: String, path: String, mode: UInt16 = App.Guest.defaultFileMode) {
                self.source = source
                self.path = path
                self.mode = mode
            }
        }

        /// A C program compiled as a static aarch64 Linux binary for the guest.
        public struct Program: Sendable, Equatable, Codable {
            /// Absolute path in the guest, in normal form (`/usr/bin/emit`).
            public var path: String
            /// Source files relative to the sel4img checkout, in the order given.
            public var sources: [String]

            public init(path: String, sources: [String]) {
                self.path = path
                self.sources = sources
            }
        }

        /// The arm64 kernel `Image` (uncompressed).
        public var kernel: Blob
        /// A static aarch64 busybox, installed as `/bin/busybox` without applet links.
        public var busybox: Blob
        /// Loadable modules of the kernel, members of the kernel's own archive
        /// (its `url`), installed at `/MEMBER` (`/lib/modules/VERSION/…`): built
        /// with the kernel, so their version is the kernel's. In file order.
        public var kernelModules: [Blob]
        /// The guest's DTS source, relative to the sel4img checkout.
        public var deviceTree: String
        /// The kernel command line, written to `/chosen/bootargs`.
        public var bootargs: String
        /// Guest-physical address the VMM loads the initramfs at.
        public var initrdAddress: UInt64
        /// A DTS overlay applied to `deviceTree` when the build is for the
        /// board's QEMU machine (`sel4img build --emulated`), relative to the
        /// sel4img checkout; nil: emulated builds get the same tree.
        public var emulatedOverlay: String?
        /// In file order.
        public var files: [File]
        /// In file order.
        public var programs: [Program]
        /// Where the modules given with `--wasm` go in the guest.
        public var modulesDirectory: String
        /// The CMake variable that receives the directory holding the guest's files.
        public var directorySetting: String
        /// Per board, what it has instead of `deviceTree`, `bootargs` and `initrdAddress`.
        public var boards: [String: BoardSettings]

        public init(kernel: Blob, busybox: Blob, kernelModules: [Blob] = [], deviceTree: String, bootargs: String, initrdAddress: UInt64,
                    files: [File] = [], programs: [Program] = [], modulesDirectory: String = App.Guest.defaultModulesDirectory,
                    directorySetting: String, boards: [String: BoardSettings] = [:], emulatedOverlay: String? = nil) {
            self.boards = boards
            self.emulatedOverlay = emulatedOverlay
            self.kernel = kernel
            self.busybox = busybox
            self.kernelModules = kernelModules
            self.deviceTree = deviceTree
            self.bootargs = bootargs
            self.initrdAddress = initrdAddress
            self.files = files
            self.programs = programs
            self.modulesDirectory = modulesDirectory
            self.directorySetting = directorySetting
        }

        /// The guest a build for `board` uses: that board's `boards` entry
        /// in place of the top-level device tree, command line, initramfs
        /// address and emulated overlay, when it has one.
        public func on(board: String) -> Guest {
            guard let settings = boards[board] else { return self }
            var guest = self
            guest.deviceTree = settings.deviceTree
            guest.bootargs = settings.bootargs
            guest.initrdAddress = settings.initrdAddress
            guest.emulatedOverlay = settings.emulatedOverlay
            return guest
        }

        public static let defaultFileMode: UInt16 = 0o644
        public static let defaultModulesDirectory = "/wasm"
        /// Linux copies at most this many bytes of the command line (arm64 `COMMAND_LINE_SIZE`, 2048,
        /// is larger; 1024 leaves room for what a VMM or bootloader appends).
        public static let bootargsLimit = 1024

        /// Directories every guest initramfs has (besides `modulesDirectory`), with their modes.
        public static let baseDirectories: [(path: String, mode: UInt16)] = [
            ("/bin", 0o755), ("/sbin", 0o755), ("/usr", 0o755), ("/usr/bin", 0o755), ("/usr/sbin", 0o755),
            ("/dev", 0o755), ("/proc", 0o755), ("/sys", 0o755), ("/tmp", 0o1777), ("/root", 0o700), ("/etc", 0o755),
        ]
        /// Files and device nodes every guest initramfs has.
        public static let busyboxPath = "/bin/busybox"
        public static let consolePath = "/dev/console"
        public static let nullPath = "/dev/null"
        static var baseFiles: [String] { [busyboxPath, consolePath, nullPath] }

        static let keys = ["kernel", "busybox", "kernelModules", "deviceTree", "bootargs", "initrdAddress", "emulatedOverlay", "files", "programs",
                           "modulesDirectory", "directorySetting", "boards"]
        static let boardKeys = ["deviceTree", "bootargs", "initrdAddress", "emulatedOverlay"]
        static let fileKeys = ["path", "mode"]
        static let kernelModuleKeys = ["member", "sha256"]
        static let sourceExtensions = ["c", "S", "s"]

        /// Reads and checks the `guest` section (nil when absent or incomplete;
        /// problems go to the reader).
        static func parse(_ view: MapView?, reader: YAMLReader) -> Guest? {
            guard let view else { return nil }
            let kernel = view.section("kernel", allowed: Board.blobKeys, required: true).flatMap { Board.parseBlob($0, reader: reader) }
            let busybox = view.section("busybox", allowed: Board.blobKeys, required: true).flatMap { Board.parseBlob($0, reader: reader) }
            let settings = parseBoardSettings(view)
            let modulesDirectory = view.optional("modulesDirectory", .string) ?? defaultModulesDirectory
            let directorySetting = view.required("directorySetting", .string)
            let files = parseFiles(view)
            let programs = parsePrograms(view)
            let kernelModules = parseKernelModules(view, kernel: kernel)
            var boards: [String: BoardSettings]? = [:]
            if let boardsView = view.section("boards", allowed: nil, required: false) {
                for entry in boardsView.entries {
                    let place = boardsView.placeOf(entry.key)
                    guard case .mapping = entry.value else {
                        reader.report(.wrongType(place, expected: "a mapping with deviceTree, bootargs and initrdAddress", got: YAMLReader.describe(entry.value)))
                        boards = nil
                        continue
                    }
                    let boardView = MapView(node: entry.value, place: place, reader: reader, allowed: boardKeys)
                    if let settings = parseBoardSettings(boardView) { boards?[entry.key] = settings } else { boards = nil }
                }
            }
            if let directorySetting {
                let place = view.placeOf("directorySetting")
                if !CMakeName.isValid(directorySetting) {
                    reader.report(.invalid(place, "'\(directorySetting)' is not a CMake variable name"))
                } else if App.boardOwnedSettings.contains(directorySetting) {
                    reader.report(.invalid(place, "\(directorySetting) comes from the board file; choose another name"))
                }
            }
            checkGuestPaths(view, files: files ?? [], programs: programs ?? [], modulesDirectory: modulesDirectory, reader: reader)

            guard let kernel, let busybox, let settings, let directorySetting, let files, let programs, let boards,
                  let kernelModules else { return nil }
            return Guest(kernel: kernel, busybox: busybox, kernelModules: kernelModules, deviceTree: settings.deviceTree, bootargs: settings.bootargs,
                         initrdAddress: settings.initrdAddress, files: files, programs: programs, modulesDirectory: modulesDirectory,
                         directorySetting: directorySetting, boards: boards, emulatedOverlay: settings.emulatedOverlay)
        }

        /// `deviceTree`, `bootargs` and `initrdAddress`, checked (at the top
        /// level or in a `boards` entry).
        private static func parseBoardSettings(_ view: MapView) -> BoardSettings? {
            let reader = view.reader
            let deviceTree = view.required("deviceTree", .string)
            let bootargs = view.required("bootargs", .string)
            let initrdAddress = view.required("initrdAddress", .address)
            let emulatedOverlay = view.optional("emulatedOverlay", .string)
            var ok = true
            /// A source file of the sel4img checkout: a safe relative path with the kind's suffix.
            func checkSource(_ path: String?, key: String, noun: String, source: String, suffix: String, example: String) {
                guard let path else { return }
                let place = view.placeOf(key)
                if let problem = SafePath.problem(with: path) {
                    reader.report(.invalid(place, "the \(noun) path \(problem); give a \(suffix) file of the sel4img checkout like \(example)"))
                    ok = false
                } else if !path.hasSuffix(suffix) {
                    reader.report(.invalid(place, "a \(source) is a \(suffix) file, got '\(path)'"))
                    ok = false
                }
            }
            checkSource(deviceTree, key: "deviceTree", noun: "device tree", source: "device tree source", suffix: ".dts", example: "runner/guest/qemu-arm-virt.dts")
            if let bootargs {
                let place = view.placeOf("bootargs")
                if bootargs.contains(where: { $0 == "\n" || $0 == "\r" }) {
                    reader.report(.invalid(place, "the kernel command line must be one line"))
                    ok = false
                } else if bootargs.contains("\0") {
                    reader.report(.invalid(place, "the kernel command line contains a NUL byte"))
                    ok = false
                } else if bootargs.utf8.count > bootargsLimit {
                    reader.report(.invalid(place, "the kernel command line is \(bootargs.utf8.count) bytes; at most \(bootargsLimit) are allowed"))
                    ok = false
                }
            }
            checkSource(emulatedOverlay, key: "emulatedOverlay", noun: "overlay", source: "device tree overlay source", suffix: ".dtso", example: "runner/guest/rpi4-qemu.dtso")
            guard ok, let deviceTree, let bootargs, let initrdAddress else { return nil }
            return BoardSettings(deviceTree: deviceTree, bootargs: bootargs, initrdAddress: initrdAddress, emulatedOverlay: emulatedOverlay)
        }

        /// `kernelModules`: `{member, sha256}` each, members of the kernel's archive
        /// under `lib/modules/VERSION/`, where VERSION is the kernel's own when its
        /// member says it (`boot/vmlinuz-VERSION`).
        private static func parseKernelModules(_ view: MapView, kernel: Blob?) -> [Blob]? {
            guard let (node, place) = view.entry("kernelModules"), !YAMLReader.isNull(node) else { return [] }
            guard case .sequence(let items) = node else {
                view.reader.report(.wrongType(place, expected: "a list of {member, sha256}", got: YAMLReader.describe(node)))
                return nil
            }
            guard let kernel else { return nil }
            guard let url = kernel.url, let kernelMember = kernel.member else {
                view.reader.report(.invalid(place, "kernel modules are members of the kernel's archive, but 'kernel' is not a member of one; give 'kernel' as {url, member, sha256}"))
                return nil
            }
            let kernelVersion = kernelMember.hasPrefix("boot/vmlinuz-") ? String(kernelMember.dropFirst("boot/vmlinuz-".count)) : nil
            var modules: [Blob] = []
            var seen: Set<String> = []
            var ok = true
            for (index, item) in items.enumerated() {
                let itemPlace = place.element(index, line: item.mark?.line)
                guard case .mapping = item else {
                    view.reader.report(.wrongType(itemPlace, expected: "a mapping with 'member' and 'sha256'", got: YAMLReader.describe(item)))
                    ok = false
                    continue
                }
                let itemView = MapView(node: item, place: itemPlace, reader: view.reader, allowed: kernelModuleKeys)
                guard let member = itemView.required("member", .string), let sha = itemView.required("sha256", .string) else {
                    ok = false
                    continue
                }
                let memberPlace = itemView.placeOf("member")
                let parts = member.split(separator: "/", omittingEmptySubsequences: false)
                if !SHA256Hex.isValid(sha) {
                    view.reader.report(.invalid(itemView.placeOf("sha256"), "expected 64 lower-case hex digits, got '\(sha)'"))
                    ok = false
                } else if let problem = SafePath.problem(with: member) ?? GuestPath.problem(with: "/" + member) {
                    view.reader.report(.invalid(memberPlace, "the member path '\(member)' \(problem); give the module's path in the kernel's archive, like lib/modules/VERSION/kernel/drivers/uio/uio.ko"))
                    ok = false
                } else if parts.count < 4 || parts[0] != "lib" || parts[1] != "modules" || !member.hasSuffix(".ko") {
                    view.reader.report(.invalid(memberPlace, "'\(member)' is not a kernel module: expected lib/modules/VERSION/….ko"))
                    ok = false
                } else if let kernelVersion, parts[2] != kernelVersion {
                    view.reader.report(.invalid(memberPlace, "'\(member)' is built for kernel \(parts[2]), but the kernel (\(kernelMember)) is \(kernelVersion); a module loads only into the kernel it was built with"))
                    ok = false
                } else if !seen.insert(member).inserted {
                    view.reader.report(.invalid(memberPlace, "the kernel module '\(member)' is given twice"))
                    ok = false
                } else {
                    modules.append(Blob(sha256: sha, url: url, member: member, package: kernel.package))
                }
            }
            return ok ? modules : nil
        }

        /// `files`: source → `{path, mode}` (or just the guest path), in file order.
        private static func parseFiles(_ view: MapView) -> [File]? {
            guard let (node, place) = view.entry("files"), !YAMLReader.isNull(node) else { return [] }
            guard case .mapping = node else {
                view.reader.report(.wrongType(place, expected: "a mapping of source files to guest paths", got: YAMLReader.describe(node)))
                return nil
            }
            let filesView = MapView(node: node, place: place, reader: view.reader, allowed: nil)
            var files: [File] = []
            var ok = true
            for entry in filesView.entries {
                let entryPlace = place.child(entry.key, line: entry.line)
                if let problem = SafePath.problem(with: entry.key) {
                    view.reader.report(.invalid(entryPlace, "the source path \(problem); give a file of the sel4img checkout like runner/guest/init"))
                }
                var path: String?
                var mode = defaultFileMode
                var pathPlace = entryPlace
                switch entry.value {
                case .scalar:
                    path = ValueType<String>.string.convert(entry.value, entryPlace, view.reader)
                case .mapping:
                    let fileView = MapView(node: entry.value, place: entryPlace, reader: view.reader, allowed: fileKeys)
                    path = fileView.required("path", .string)
                    pathPlace = fileView.placeOf("path")
                    if let given = fileView.optional("mode", .fileMode) {
                        mode = given
                    } else if let (modeNode, _) = fileView.entry("mode"), !YAMLReader.isNull(modeNode) {
                        ok = false  // reported by the conversion
                    }
                default:
                    view.reader.report(.wrongType(entryPlace, expected: "a guest path like /init, or a mapping with 'path' and 'mode'",
                                                  got: YAMLReader.describe(entry.value)))
                }
                guard let path else { ok = false; continue }
                if let problem = GuestPath.problem(with: path) {
                    view.reader.report(.invalid(pathPlace, "the guest path '\(path)' \(problem)"))
                    ok = false
                    continue
                }
                files.append(File(source: entry.key, path: path, mode: mode))
            }
            return ok ? files : nil
        }

        /// `programs`: guest path → list of source files, in file order.
        private static func parsePrograms(_ view: MapView) -> [Program]? {
            guard let (node, place) = view.entry("programs"), !YAMLReader.isNull(node) else { return [] }
            guard let map = ValueType<[String: [String]]>.map(.list(.string)).convert(node, place, view.reader) else { return nil }
            let programsView = MapView(node: node, place: place, reader: view.reader, allowed: nil)
            var programs: [Program] = []
            var ok = true
            for entry in programsView.entries {
                let entryPlace = place.child(entry.key, line: entry.line)
                guard let sources = map[entry.key] else { ok = false; continue }
                if let problem = GuestPath.problem(with: entry.key) {
                    view.reader.report(.invalid(entryPlace, "the guest path '\(entry.key)' \(problem)"))
                    ok = false
                    continue
                }
                if sources.isEmpty {
                    view.reader.report(.invalid(entryPlace, "must name at least one source file"))
                }
                var lines: [Int?] = []
                if case .sequence(let sequence) = entry.value { lines = sequence.map { $0.mark?.line } }
                for (index, source) in sources.enumerated() {
                    let sourcePlace = entryPlace.element(index, line: index < lines.count ? lines[index] : nil)
                    if let problem = SafePath.problem(with: source) {
                        view.reader.report(.invalid(sourcePlace, "the source path \(problem); give a file of the sel4img checkout like runner/guest/emit.c"))
                    } else if !sourceExtensions.contains((source as NSString).pathExtension) {
                        view.reader.report(.invalid(sourcePlace, "expected a C or assembly source file (.c, .S or .s), got '\(source)'"))
                    }
                }
                programs.append(Program(path: entry.key, sources: sources))
            }
            return ok ? programs : nil
        }

        /// No guest path twice, none replacing the base file system, none
        /// where a directory must be or inside a file, and a usable modules directory.
        private static func checkGuestPaths(_ view: MapView, files: [File], programs: [Program], modulesDirectory: String,
                                            reader: YAMLReader) {
            // File paths and who gave them ("" for the base file system); directories the initramfs will have.
            var owners: [String: String] = Dictionary(uniqueKeysWithValues: baseFiles.map { ($0, "") })
            var directories = Set(baseDirectories.map(\.path))
            for path in baseFiles { directories.formUnion(GuestPath.ancestors(path)) }

            let modulesPlace = view.placeOf("modulesDirectory")
            if let problem = GuestPath.problem(with: modulesDirectory) {
                reader.report(.invalid(modulesPlace, "the guest path '\(modulesDirectory)' \(problem)"))
            } else if baseFiles.contains(modulesDirectory) {
                reader.report(.invalid(modulesPlace, "'\(modulesDirectory)' is a file of the guest's base file system; choose a directory like /wasm"))
            } else if let parent = GuestPath.ancestors(modulesDirectory).first(where: { owners[$0] != nil }) {
                reader.report(.invalid(modulesPlace, "'\(modulesDirectory)' would be inside '\(parent)', which is a file"))
            } else {
                directories.formUnion(GuestPath.withAncestors(modulesDirectory))
            }

            var given: [(path: String, key: String, place: Place)] = []
            if let filesView = subview(view, "files") {
                for file in files {
                    guard let (node, place) = filesView.entry(file.source) else { continue }
                    var pathPlace = place
                    if case .mapping = node { pathPlace = MapView(node: node, place: place, reader: reader, allowed: nil).placeOf("path") }
                    given.append((file.path, "guest.files.\(file.source)", pathPlace))
                }
            }
            if let programsView = subview(view, "programs") {
                for program in programs {
                    given.append((program.path, "guest.programs.\(program.path)", programsView.placeOf(program.path)))
                }
            }
            for item in given {
                if let first = owners[item.path] {
                    reader.report(.invalid(item.place, first.isEmpty
                        ? "'\(item.path)' is part of the guest's base file system (busybox and the /dev nodes); choose another path"
                        : "the guest path '\(item.path)' is given twice; it is already given at '\(first)'"))
                } else if directories.contains(item.path) {
                    reader.report(.invalid(item.place, "'\(item.path)' is a directory in the guest; give a file path like \(item.path)/NAME"))
                } else if let parent = GuestPath.ancestors(item.path).first(where: { owners[$0] != nil }) {
                    reader.report(.invalid(item.place, "'\(item.path)' would be inside '\(parent)', which is a file"))
                } else {
                    owners[item.path] = item.key
                    directories.formUnion(GuestPath.ancestors(item.path))
                }
            }
        }

        static func subview(_ parent: MapView, _ key: String) -> MapView? {
            guard let (node, place) = parent.entry(key), case .mapping = node else { return nil }
            return MapView(node: node, place: place, reader: parent.reader, allowed: nil)
        }
    }

    /// Meaning checks that relate `guest` to the rest of the app.
    func checkGuest(root: MapView, reader: YAMLReader) {
        if let guest, let guestView = Guest.subview(root, "guest"), let boardsView = Guest.subview(guestView, "boards") {
            for entry in boardsView.entries where guest.boards[entry.key] != nil && !supportedBoards.contains(entry.key) {
                reader.report(.invalid(boardsView.placeOf(entry.key),
                    "guest settings for board '\(entry.key)', which is not in 'supportedBoards' (\(supportedBoards.joined(separator: ", ")))"))
            }
        }
        guard guest != nil, wasm != nil else { return }
        reader.report(.invalid(root.placeOf("guest"),
            "an app has either 'wasm' (modules the root task runs) or 'guest' (modules a Linux guest runs), not both"))
    }
}

/// Absolute paths inside a guest's root file system, as app files write them.
public enum GuestPath {
    /// Why `path` cannot name a file in the guest, or nil when it can. Paths
    /// must be absolute and in normal form: no empty, `.` or `..` components.
    public static func problem(with path: String) -> String? {
        if path.isEmpty { return "is empty" }
        if !path.hasPrefix("/") { return "is relative; give an absolute path in the guest like /usr/bin/emit" }
        if path == "/" { return "names the root itself" }
        if path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return "contains a control character" }
        let parts = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        if parts.contains("..") { return "contains '..'" }
        if parts.contains(".") || parts.contains("") { return "is not in normal form; write it like /usr/bin/emit, without '//', '/./' or a final '/'" }
        return nil
    }

    /// The ancestors of a checked path, outermost first, without `/` (`/a`, `/a/b` for `/a/b/c`).
    public static func ancestors(_ path: String) -> [String] {
        let parts = path.split(separator: "/")
        return (1..<max(parts.count, 1)).map { "/" + parts[0..<$0].joined(separator: "/") }
    }

    /// The path and its ancestors, outermost first.
    static func withAncestors(_ path: String) -> [String] { ancestors(path) + [path] }
}

extension ValueType where T == UInt16 {
    /// Octal permission bits written as text, like `"0755"` or `"644"`.
    static var fileMode: ValueType<UInt16> {
        ValueType { node, place, reader in
            guard case .scalar(let scalar) = node, !YAMLReader.isNull(node) else {
                reader.report(.wrongType(place, expected: "an octal mode like \"0755\"", got: YAMLReader.describe(node)))
                return nil
            }
            let text = scalar.string.trimmingCharacters(in: .whitespaces)
            guard (3...4).contains(text.count), text.allSatisfy({ ("0"..."7").contains($0) }), let value = UInt16(text, radix: 8) else {
                reader.report(.invalid(place, "expected an octal mode like \"0755\" or \"0644\", got '\(scalar.string)'"))
                return nil
            }
            return value
        }
    }
}
