import Foundation
import Support

/// A guest that cannot be built: which app file and key it comes from, and why.
/// Printed like board and app file problems: `apps/wasm-vm.yaml: key 'guest.files.runner/guest/init': …`.
public struct GuestImageError: UserFacingError, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// A file of the sel4img checkout the app names is not there.
        case missingSource
        /// A path, name or value that cannot go into the guest.
        case invalidInput
        /// Two things want the same place in the initramfs.
        case conflict
        /// The kernel or busybox could not be fetched or verified.
        case blob
        /// The kernel is not an arm64 `Image`.
        case badKernel
        /// The C cross-compiler is not installed.
        case compilerMissing
        /// A guest program did not compile.
        case compileFailed
        /// The device tree source did not compile or cannot take the edits.
        case deviceTree
        /// The initramfs does not fit in the guest's memory at `initrdAddress`.
        case initrdOutsideMemory
        /// An output could not be written.
        case io
    }

    public var kind: Kind
    /// The app file as shown to people (`apps/wasm-vm.yaml`).
    public var file: String?
    /// The key in it (`guest.programs./usr/bin/emit`).
    public var keyPath: String?
    public var message: String
    public var hint: String?

    public init(_ kind: Kind, file: String? = nil, keyPath: String? = nil, _ message: String, hint: String? = nil) {
        self.kind = kind
        self.file = file
        self.keyPath = keyPath
        self.message = message
        self.hint = hint
    }

    public var context: ErrorContext { ErrorContext(file: file, key: keyPath) }
}
