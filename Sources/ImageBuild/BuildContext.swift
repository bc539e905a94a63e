import Boards
import Foundation
import ImageAssembly
import Support
import Workspace

/// What one build is asked to do: the board, the app, the options from the
/// command line, and where sel4img's data and the workspace are. Every step
/// and every app feature reads it; none changes it.
public struct BuildContext: Sendable {
    public struct Options: Sendable {
        public var mirror: Mirror?
        /// Refuse to re-resolve: the lock must match the manifest.
        public var locked = false
        /// Skip sync and patches; build the tree as it is.
        public var noSync = false
        public var jobs = 4
        /// rpi4 comes in several memory sizes; nil means the board's default.
        public var memorySize: UInt64?
        /// The WebAssembly modules (and arguments) given with `--wasm`.
        public var wasm: WasmBundle?
        /// Build for the board's QEMU machine (`--emulated`).
        public var emulated = false
        /// Where the guest's kernel and busybox are cached (apps with `guest`).
        public var guestBlobs = BlobCache.standard
        /// Compile through ccache with this cache (`--cache`); nil builds without one.
        public var compilerCache: CompilerCache?
        /// CPU cores for apps that offer a choice (`--cores`); nil takes the app's default.
        public var cores: Int?

        public init(mirror: Mirror? = nil, locked: Bool = false, noSync: Bool = false, jobs: Int = 4, memorySize: UInt64? = nil,
                    wasm: WasmBundle? = nil, emulated: Bool = false) {
            self.emulated = emulated
            self.mirror = mirror
            self.locked = locked
            self.noSync = noSync
            self.jobs = jobs
            self.memorySize = memorySize
            self.wasm = wasm
        }
    }

    public let dataDirectory: URL
    public let workspaceRoot: URL
    public let board: Board
    public let app: App
    public let options: Options

    public init(dataDirectory: URL, workspaceRoot: URL, board: Board, app: App, options: Options) {
        self.dataDirectory = dataDirectory
        self.workspaceRoot = workspaceRoot
        self.board = board
        self.app = app
        self.options = options
    }

    public var paths: BuildPaths { BuildPaths(workspace: workspaceRoot, board: board.name, app: app.name) }

    /// The app's pinned manifest inside sel4img's data directory.
    public var manifestFile: URL { dataDirectory.appendingPathComponent("manifests").appendingPathComponent(app.manifest) }

    /// The app's file as people see it in messages.
    public var appFile: String { "apps/\(app.name).yaml" }

    /// A directory beside the build directory (`build/BOARD-APP-SUFFIX`) for
    /// files sel4img writes before CMake runs: a fresh configure clears the
    /// build directory, not these.
    public func sideDirectory(_ suffix: String) -> URL {
        paths.buildDirectory.deletingLastPathComponent().appendingPathComponent("\(paths.label)-\(suffix)")
    }
}
