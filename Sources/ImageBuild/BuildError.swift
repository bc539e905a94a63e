import Foundation
import Support

/// Failures of the seL4 build, with what to look at.
public typealias BuildError = ModuleError<BuildErrorKind>

public enum BuildErrorKind: ErrorKind {
    case noCMakeProject
    case configureFailed
    case ninjaFailed
    case outputMissing
    case unsupportedBoard
    /// The app's own sources could not be put into the workspace.
    case appSources
    /// A WebAssembly module given with --wasm cannot be used.
    case invalidModule
    /// A `--cache` value (or SEL4IMG_CACHE) that cannot be used.
    case badCacheSetting
}
