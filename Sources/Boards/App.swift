import Foundation
import Support
import Yams

/// A system sel4img can build: which sources (a manifest and patch sets),
/// which seL4 CMake settings it adds to the board's, which boards it runs on,
/// how to tell from the console whether it worked, and which build outputs
/// to keep. Loaded from `apps/<name>.yaml`; see `boards/README.md`.
public struct App: Sendable, Equatable, Codable {
    /// The app's name: its file name without `.yaml`.
    public var name: String
    public var description: String
    /// Path of the repo manifest below the checkout's `manifests/` directory.
    public var manifest: String
    /// Names of patch sets (directories below `patches/`) applied in order.
    public var patchSets: [String]
    public var cmake: CMake
    /// Board names the app is known to build for.
    public var supportedBoards: [String]
    public var console: Console
    /// Build outputs to keep: role (`image`, `kernel`, …) → path or glob
    /// pattern relative to the build directory. `image` is always present.
    public var outputs: [String: String]
    /// sel4img's own files the build needs in the workspace (see `App+Sources.swift`);
    /// nil when everything comes from the manifest.
    public var sources: Sources?
    /// Present when the app runs WebAssembly modules given with `--wasm`.
    public var wasm: Wasm?
    /// Present when the app runs a Linux guest VM (see `App+Guest.swift`).
    public var guest: Guest?
    /// QEMU's `-machine` value when the app needs another than the board's
    /// (a hypervisor needs `virt,virtualization=on,…`); nil keeps the board's.
    /// It refines only the machine it names: see `qemuMachine(refining:)`.
    public var qemuMachine: String?

    /// The `-machine` value for a board whose own is `boardMachine`: the app's
    /// when it names the same machine (`virt,virtualization=on,…` for `virt`),
    /// else the board's (rpi4's `raspi4b` already has EL2 and a GIC with
    /// virtualization extensions; `virt`'s options do not apply to it).
    public func qemuMachine(refining boardMachine: String) -> String {
        guard let qemuMachine else { return boardMachine }
        func name(_ machine: String) -> Substring { machine.prefix { $0 != "," } }
        return name(qemuMachine) == name(boardMachine) ? qemuMachine : boardMachine
    }
    /// Whether builds for U-Boot boards write a bootable disk image. False
    /// when the app's image is not one the board's U-Boot flow starts (its
    /// seL4_tools lacks the `uboot` patch set's image choice).
    public var bootDisk: Bool
    /// Present when the app is built for a choice of CPU core counts
    /// (`sel4img build --cores N`; wasm-vm: 1 or 2).
    public var cores: Cores?

    public init(name: String, description: String, manifest: String, patchSets: [String], cmake: CMake,
                supportedBoards: [String], console: Console, outputs: [String: String],
                sources: Sources? = nil, wasm: Wasm? = nil, guest: Guest? = nil, qemuMachine: String? = nil,
                bootDisk: Bool = true, cores: Cores? = nil) {
        self.name = name
        self.description = description
        self.manifest = manifest
        self.patchSets = patchSets
        self.cmake = cmake
        self.supportedBoards = supportedBoards
        self.console = console
        self.outputs = outputs
        self.sources = sources
        self.wasm = wasm
        self.guest = guest
        self.qemuMachine = qemuMachine
        self.bootDisk = bootDisk
        self.cores = cores
    }

    /// How many cores a build uses, and how seL4's build is told: the app's
    /// CPU layout (which thread on which core) is written for each choice.
    public struct Cores: Sendable, Equatable, Codable {
        /// The CMake variable that receives the count (wasm-vm: `NUM_NODES`,
        /// which camkes-vm-examples turns into `KernelMaxNumNodes`).
        public var setting: String
        /// The counts the app is written for, in order.
        public var choices: [Int]
        /// The count without `--cores`.
        public var defaultCount: Int

        public init(setting: String, choices: [Int], defaultCount: Int) {
            self.setting = setting
            self.choices = choices
            self.defaultCount = defaultCount
        }

        static let keys = ["setting", "choices", "default"]
    }

    /// The core count a build with `requested` (`--cores`, nil when not
    /// given) uses: nil for an app without a `cores` section.
    public func coreCount(_ requested: Int?) throws -> Int? {
        guard let cores else {
            guard let requested else { return nil }
            throw BoardError(kind: .invalidValue, file: "apps/\(name).yaml", line: nil, keyPath: nil,
                             message: "--cores \(requested): app '\(name)' is built for one fixed CPU layout (its file has no 'cores' section)",
                             hint: "leave out --cores; apps with a choice of cores list them under 'cores.choices' (wasm-vm: 1 or 2)")
        }
        let count = requested ?? cores.defaultCount
        guard cores.choices.contains(count) else {
            throw BoardError(kind: .invalidValue, file: "apps/\(name).yaml", line: nil, keyPath: "cores.choices",
                             message: "--cores \(count): app '\(name)' is written for \(Self.counts(cores.choices)) cores",
                             hint: "build with --cores \(cores.choices.map(String.init).joined(separator: " or --cores "))")
        }
        return count
    }

    /// `1 or 2`, `1, 2 or 4`.
    static func counts(_ choices: [Int]) -> String {
        let words = choices.map(String.init)
        return words.count < 2 ? words.joined() : words.dropLast().joined(separator: ", ") + " or " + words.last!
    }

    /// The app's own seL4 CMake settings (the board supplies platform,
    /// architecture, simulation and compiler).
    public struct CMake: Sendable, Equatable, Codable {
        /// `-D` settings for every board.
        public var settings: [String: String]
        /// Extra or replacing settings per board name.
        public var boards: [String: [String: String]]

        public init(settings: [String: String], boards: [String: [String: String]]) {
            self.settings = settings
            self.boards = boards
        }
    }

    /// How to judge a run from its console output.
    public struct Console: Sendable, Equatable, Codable {
        /// Regular expressions; a line matching any of them means success.
        public var success: [String]
        /// Regular expressions; a line matching any of them means failure.
        public var failure: [String]
        /// Give up (and fail) when neither appeared within this many seconds.
        public var timeoutSeconds: Int
        /// A regular expression for the line the guest prints when its shell
        /// on the console takes commands (`sel4img qemu --script`); nil when
        /// the app has no such shell.
        public var shellReady: String?

        public init(success: [String], failure: [String], timeoutSeconds: Int, shellReady: String? = nil) {
            self.success = success
            self.failure = failure
            self.timeoutSeconds = timeoutSeconds
            self.shellReady = shellReady
        }
    }

    /// The output role that names the bootable image.
    public static let imageRole = "image"

    /// The pattern of the bootable image.
    public var imagePattern: String { outputs[Self.imageRole] ?? "" }

    /// The complete seL4 CMake settings for building this app for `board`:
    /// the board's settings, then the app's, then the app's for that board.
    public func cmakeSettings(for board: Board, memorySize: UInt64? = nil, emulated: Bool = false, cores requestedCores: Int? = nil) throws -> [String: String] {
        guard supportedBoards.contains(board.name) else {
            throw BoardError(kind: .unknownName, file: nil, line: nil, keyPath: nil,
                             message: "app '\(name)' does not support board '\(board.name)'; supported boards: \(supportedBoards.joined(separator: ", "))")
        }
        var settings = try board.cmakeSettings(memorySize: memorySize)
        settings.merge(cmake.settings) { _, app in app }
        settings.merge(cmake.boards[board.name] ?? [:]) { _, app in app }
        // The emulator's settings are board-owned (SIMULATION): they come last.
        if emulated { settings.merge(try board.cmakeSettings(memorySize: memorySize, emulated: true)) { _, emulator in emulator } }
        if let count = try coreCount(requestedCores), let cores { settings[cores.setting] = String(count) }
        return settings
    }
}

extension App {
    static let topKeys = ["format", "description", "manifest", "patchSets", "cmake", "supportedBoards", "console", "outputs", "sources", "wasm", "guest", "qemu", "bootDisk", "cores"]
    static let cmakeKeys = ["settings", "boards"]
    static let consoleKeys = ["success", "failure", "timeoutSeconds", "shellReady"]
    /// Settings the board owns; an app may not set them.
    static let boardOwnedSettings = ["PLATFORM", "AARCH64", "SIMULATION", "CROSS_COMPILER_PREFIX"]

    /// Loads and validates one app file. When `knownBoards` is given, every
    /// board the app names must be one of them.
    public static func load(from url: URL, knownBoards: [String]? = nil) throws -> App {
        let shown = DisplayPath.of(url)
        let text = try DisplayPath.read(url, shown: shown)
        return try parse(text, name: DisplayPath.name(of: url, shown: shown), file: shown, knownBoards: knownBoards)
    }

    /// Parses app YAML. `file` is how messages name the file.
    public static func parse(_ text: String, name: String, file: String, knownBoards: [String]? = nil) throws -> App {
        let reader = YAMLReader(file: file)
        let root = try reader.root(text: text, article: "an app", allowed: topKeys)

        let description = root.required("description", .string)
        let manifest = root.required("manifest", .string)
        let patchSets = root.optional("patchSets", .list(.string)) ?? []
        let supported = root.required("supportedBoards", .list(.string))

        let cmakeView = root.section("cmake", allowed: cmakeKeys, required: false)
        let settings = cmakeView?.optional("settings", .map(.setting)) ?? [:]
        let perBoard = cmakeView?.optional("boards", .map(.map(.setting))) ?? [:]

        let consoleView = root.section("console", allowed: consoleKeys, required: true)
        let success = consoleView?.required("success", .list(.string))
        let failure = consoleView?.optional("failure", .list(.string)) ?? []
        let timeout = consoleView?.required("timeoutSeconds", .positiveInt)
        let shellReady = consoleView?.optional("shellReady", .string)

        let outputs = root.required("outputs", .map(.string))

        let sources = Sources.parse(root.section("sources", allowed: Sources.keys, required: false))
        let wasmView = root.section("wasm", allowed: Wasm.keys, required: false)
        let wasm = wasmView.flatMap { view in
            view.required("archiveSetting", .string).map { Wasm(archiveSetting: $0, aotSetting: view.optional("aotSetting", .string)) }
        }
        let guest = Guest.parse(root.section("guest", allowed: Guest.keys, required: false), reader: reader)
        let qemuMachine = root.section("qemu", allowed: ["machine"], required: false)?.required("machine", .string)
        let bootDisk = root.optional("bootDisk", .bool) ?? true
        let coresView = root.section("cores", allowed: Cores.keys, required: false)
        let coreSetting = coresView?.required("setting", .string)
        let coreChoices = coresView?.required("choices", .list(.positiveInt))
        let coreDefault = coresView?.required("default", .positiveInt)

        try reader.finish()
        guard let description, let manifest, let supported, let consoleView, let success, let timeout, let outputs else {
            throw BoardError(kind: .invalidValue, file: file, line: nil, keyPath: nil, message: "incomplete app definition")
        }
        let app = App(name: name, description: description, manifest: manifest, patchSets: patchSets,
                      cmake: CMake(settings: settings, boards: perBoard), supportedBoards: supported,
                      console: Console(success: success, failure: failure, timeoutSeconds: timeout, shellReady: shellReady),
                      outputs: outputs, sources: sources, wasm: wasm, guest: guest, qemuMachine: qemuMachine, bootDisk: bootDisk,
                      cores: coreSetting.flatMap { setting in coreChoices.flatMap { choices in coreDefault.map { Cores(setting: setting, choices: choices, defaultCount: $0) } } })
        app.checkMeaning(root: root, cmake: cmakeView, console: consoleView, knownBoards: knownBoards, reader: reader)
        app.checkSources(root: root, reader: reader)
        app.checkGuest(root: root, reader: reader)
        try reader.finish()
        return app
    }

    private func checkMeaning(root: MapView, cmake cmakeView: MapView?, console consoleView: MapView,
                              knownBoards: [String]?, reader: YAMLReader) {
        let manifestPlace = root.placeOf("manifest")
        if let problem = SafePath.problem(with: manifest) {
            reader.report(.invalid(manifestPlace, "the manifest path \(problem); give a path below manifests/ like sel4test.xml"))
        } else if !manifest.hasSuffix(".xml") {
            reader.report(.invalid(manifestPlace, "a manifest is an .xml file, got '\(manifest)'"))
        }

        for (index, patchSet) in patchSets.enumerated() {
            let place = elementPlace(root, "patchSets", index)
            if let problem = SafePath.problem(with: patchSet) {
                reader.report(.invalid(place, "the patch set path \(problem)"))
            }
        }

        if supportedBoards.isEmpty {
            reader.report(.invalid(root.placeOf("supportedBoards"), "must name at least one board"))
        }
        var seen = Set<String>()
        for (index, board) in supportedBoards.enumerated() {
            let place = elementPlace(root, "supportedBoards", index)
            if !seen.insert(board).inserted {
                reader.report(.invalid(place, "board '\(board)' is listed twice"))
            } else if let knownBoards, !knownBoards.contains(board) {
                reader.report(.invalid(place, "unknown board '\(board)'; valid boards: \(knownBoards.sorted().joined(separator: ", "))"))
            }
        }

        if let cmakeView {
            checkSettings(cmake.settings, in: cmakeView, key: "settings", reader: reader)
            if let boardsView = subview(cmakeView, "boards") {
                for entry in boardsView.entries {
                    if !supportedBoards.contains(entry.key) {
                        reader.report(.invalid(boardsView.placeOf(entry.key),
                            "settings for board '\(entry.key)', which is not in 'supportedBoards'"))
                    }
                    checkSettings(cmake.boards[entry.key] ?? [:], in: boardsView, key: entry.key, reader: reader)
                }
            }
        }

        if console.success.isEmpty {
            reader.report(.invalid(consoleView.placeOf("success"), "must give at least one pattern"))
        }
        for (key, patterns) in [("success", console.success), ("failure", console.failure)] {
            for (index, pattern) in patterns.enumerated() where (try? NSRegularExpression(pattern: pattern)) == nil {
                reader.report(.invalid(elementPlace(consoleView, key, index), "'\(pattern)' is not a valid regular expression"))
            }
        }
        if let shellReady = console.shellReady, (try? NSRegularExpression(pattern: shellReady)) == nil {
            reader.report(.invalid(consoleView.placeOf("shellReady"), "'\(shellReady)' is not a valid regular expression"))
        }

        if let cores, let coresView = subview(root, "cores") {
            if !CMakeName.isValid(cores.setting) {
                reader.report(.invalid(coresView.placeOf("setting"), "'\(cores.setting)' is not a CMake variable name"))
            } else if Self.boardOwnedSettings.contains(cores.setting) {
                reader.report(.invalid(coresView.placeOf("setting"), "\(cores.setting) comes from the board file; name the app's own core-count setting"))
            }
            if cores.choices.isEmpty {
                reader.report(.invalid(coresView.placeOf("choices"), "must give at least one core count"))
            } else if Set(cores.choices).count != cores.choices.count {
                reader.report(.invalid(coresView.placeOf("choices"), "lists a core count twice: \(cores.choices.map(String.init).joined(separator: ", "))"))
            } else if !cores.choices.contains(cores.defaultCount) {
                reader.report(.invalid(coresView.placeOf("default"), "\(cores.defaultCount) is not one of 'choices' (\(Self.counts(cores.choices)))"))
            }
        }

        let outputsPlace = root.placeOf("outputs")
        if outputs[Self.imageRole] == nil {
            reader.report(.missingKey(outputsPlace, Self.imageRole))
        }
        if let outputsView = subview(root, "outputs") {
            for entry in outputsView.entries {
                guard let pattern = outputs[entry.key], let problem = SafePath.problem(with: pattern) else { continue }
                reader.report(.invalid(outputsView.placeOf(entry.key), "the output path \(problem)"))
            }
        }
    }

    private func checkSettings(_ settings: [String: String], in parent: MapView, key: String, reader: YAMLReader) {
        guard let view = subview(parent, key) else { return }
        for entry in view.entries {
            let place = view.placeOf(entry.key)
            if !CMakeName.isValid(entry.key) {
                reader.report(.invalid(place, "'\(entry.key)' is not a CMake variable name"))
            } else if Self.boardOwnedSettings.contains(entry.key) {
                reader.report(.invalid(place, "\(entry.key) comes from the board file; remove it from the app"))
            }
        }
    }

    func subview(_ parent: MapView, _ key: String) -> MapView? {
        guard let (node, place) = parent.entry(key) else { return nil }
        return MapView(node: node, place: place, reader: parent.reader, allowed: nil)
    }

    func elementPlace(_ parent: MapView, _ key: String, _ index: Int) -> Place {
        guard let (node, place) = parent.entry(key), case .sequence(let sequence) = node, index < sequence.count else {
            return parent.placeOf(key)
        }
        return place.element(index, line: sequence[index].mark?.line)
    }
}
