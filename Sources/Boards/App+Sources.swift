import Foundation
import Support

extension App {
    /// sel4img's own files an app builds from, besides its manifest's
    /// projects: directories of the sel4img checkout copied into the
    /// workspace before each build, links made there, and the Swift modules
    /// the app's CMake project compiles.
    ///
    /// ```yaml
    /// sources:
    ///   copy:
    ///     runner/sel4: projects/wasm-runner
    ///     Sources/WasmEngine: projects/wasm-runner/swift-modules/WasmEngine
    ///   links:
    ///     easy-settings.cmake: projects/wasm-runner/easy-settings.cmake
    ///   swiftModules: [WasmEngine, WASI]
    /// ```
    public struct Sources: Sendable, Equatable, Codable {
        /// One directory of the sel4img checkout and where it goes in the workspace.
        public struct Copy: Sendable, Equatable, Codable {
            /// Relative to the sel4img checkout (the data directory).
            public var from: String
            /// Relative to the workspace. sel4img owns this directory: files
            /// not in `from` are removed (except other copies nested inside).
            public var to: String

            public init(from: String, to: String) {
                self.from = from
                self.to = to
            }
        }

        /// A symbolic link in the workspace, like a manifest's `linkfile`.
        public struct Link: Sendable, Equatable, Codable {
            /// The link, relative to the workspace.
            public var path: String
            /// What it points to, relative to the workspace.
            public var target: String

            public init(path: String, target: String) {
                self.path = path
                self.target = target
            }
        }

        /// In file order.
        public var copies: [Copy]
        /// In file order.
        public var links: [Link]
        /// Swift modules the app's CMake project compiles as Embedded Swift,
        /// in dependency order. When given, sel4img finds a Swift toolchain and
        /// passes `SEL4IMG_SWIFT_TOOLCHAIN` and `SEL4IMG_SWIFT_MODULES` to CMake.
        public var swiftModules: [String]

        public init(copies: [Copy], links: [Link] = [], swiftModules: [String] = []) {
            self.copies = copies
            self.links = links
            self.swiftModules = swiftModules
        }

        static let keys = ["copy", "links", "swiftModules"]

        /// Reads the `sources` section (nil when absent).
        static func parse(_ view: MapView?) -> Sources? {
            guard let view else { return nil }
            let copyMap = view.required("copy", .map(.string))
            let linkMap = view.optional("links", .map(.string)) ?? [:]
            let modules = view.optional("swiftModules", .list(.string)) ?? []
            guard let copyMap else { return nil }
            let copies = Self.orderedKeys(view, "copy").compactMap { key in copyMap[key].map { Copy(from: key, to: $0) } }
            let links = Self.orderedKeys(view, "links").compactMap { key in linkMap[key].map { Link(path: key, target: $0) } }
            return Sources(copies: copies, links: links, swiftModules: modules)
        }

        /// The keys of a nested mapping in document order.
        private static func orderedKeys(_ view: MapView, _ key: String) -> [String] {
            guard let (node, place) = view.entry(key) else { return [] }
            return MapView(node: node, place: place, reader: view.reader, allowed: nil).entries.map(\.key)
        }
    }

    /// An app that runs WebAssembly modules: `sel4img build --wasm A.wasm`
    /// validates them, packs them into a CPIO archive and passes its path to
    /// CMake in `archiveSetting`.
    public struct Wasm: Sendable, Equatable, Codable {
        /// The CMake variable that receives the archive's path.
        public var archiveSetting: String
        /// The CMake variable that receives the directory of wabt's wasm2c translation of the
        /// modules (the runner's ahead-of-time tier); nil: the app runs them on the interpreter.
        public var aotSetting: String?

        public init(archiveSetting: String, aotSetting: String? = nil) {
            self.archiveSetting = archiveSetting
            self.aotSetting = aotSetting
        }

        static let keys = ["archiveSetting", "aotSetting"]
    }

    /// Meaning checks for `sources` and `wasm`.
    func checkSources(root: MapView, reader: YAMLReader) {
        if let sources, let sourcesView = subview(root, "sources") {
            if let copyView = subview(sourcesView, "copy") {
                var destinations: [String: String] = [:]
                for copy in sources.copies {
                    let place = copyView.placeOf(copy.from)
                    if let problem = SafePath.problem(with: copy.from) {
                        reader.report(.invalid(place, "the source path \(problem); give a directory of the sel4img checkout like runner/sel4"))
                    } else if let problem = SafePath.problem(with: copy.to) {
                        reader.report(.invalid(place, "the workspace path \(problem); give a directory below the workspace like projects/\(name)"))
                    } else if let first = destinations[Self.normalized(copy.to)] {
                        reader.report(.invalid(place, "'\(copy.to)' is already the destination of '\(first)'"))
                    } else {
                        destinations[Self.normalized(copy.to)] = copy.from
                    }
                }
            }
            if let linksView = subview(sourcesView, "links") {
                for link in sources.links {
                    let place = linksView.placeOf(link.path)
                    if let problem = SafePath.problem(with: link.path) {
                        reader.report(.invalid(place, "the link path \(problem)"))
                    } else if let problem = SafePath.problem(with: link.target) {
                        reader.report(.invalid(place, "the link target \(problem)"))
                    }
                }
            }
            var seen = Set<String>()
            for (index, module) in sources.swiftModules.enumerated() {
                let place = elementPlace(sourcesView, "swiftModules", index)
                if !Self.isSwiftModuleName(module) {
                    reader.report(.invalid(place, "'\(module)' is not a Swift module name"))
                } else if !seen.insert(module).inserted {
                    reader.report(.invalid(place, "module '\(module)' is listed twice"))
                }
            }
        }
        if let wasm, let wasmView = subview(root, "wasm") {
            for (key, setting) in [("archiveSetting", wasm.archiveSetting), ("aotSetting", wasm.aotSetting)] {
                guard let setting else { continue }
                let place = wasmView.placeOf(key)
                if !CMakeName.isValid(setting) {
                    reader.report(.invalid(place, "'\(setting)' is not a CMake variable name"))
                } else if Self.boardOwnedSettings.contains(setting) {
                    reader.report(.invalid(place, "\(setting) comes from the board file; choose another name"))
                }
            }
            if let aot = wasm.aotSetting, aot == wasm.archiveSetting {
                reader.report(.invalid(wasmView.placeOf("aotSetting"), "\(aot) is the archive's setting too; choose another name"))
            }
        }
    }

    static func normalized(_ path: String) -> String {
        path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
    }

    static func isSwiftModuleName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && CharacterSet.letters.contains(first)) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && CharacterSet.alphanumerics.contains($0)) }
    }
}
