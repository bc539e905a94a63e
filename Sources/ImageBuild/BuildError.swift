import Foundation
import Support

/// Failures of the seL4 build, with what to look at.
public struct BuildError: UserFacingError {
    public enum Kind: Sendable, Equatable {
        case noCMakeProject
        case configureFailed
        case ninjaFailed
        case outputMissing
        case unsupportedBoard
        /// The app's own sources could not be put into the workspace.
        case appSources
        /// A WebAssembly module given with --wasm cannot be used.
        case invalidModule
    }

    public var kind: Kind
    public var message: String
    public var hint: String?

    public init(_ kind: Kind, _ message: String, hint: String? = nil) {
        self.kind = kind
        self.message = message
        self.hint = hint
    }

    public var description: String { message }
}
