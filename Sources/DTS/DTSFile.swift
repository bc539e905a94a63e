import Foundation
import Support

/// Reading and writing device tree files with errors that name the path and
/// the problem ("it is a directory", "no such file", "permission denied"),
/// never Foundation's raw `NSCocoaErrorDomain Code=…` text.
public enum DTSFile {
    /// The bytes of `url`. `regularOnly` refuses FIFOs and devices (for
    /// `/include/`, where one would hang or never end); a top-level file may
    /// be a pipe such as `<(dtc …)`.
    public static func read(_ url: URL, regularOnly: Bool = false) throws -> [UInt8] {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DTSError(.io, "cannot read: \(reason(errno))", file: url.path) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw DTSError(.io, "cannot read: \(reason(errno))", file: url.path) }
        let type = info.st_mode & S_IFMT
        if type == S_IFDIR { throw DTSError(.io, "cannot read: it is a directory, not a DTB or DTS file", file: url.path) }
        if regularOnly, type != S_IFREG { throw DTSError(.io, "cannot read: not a regular file", file: url.path) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw DTSError(.io, "cannot read: \(reason(errno))", file: url.path)
            }
            if count == 0 { return bytes }
            bytes += chunk[..<count]
        }
    }

    /// Writes `bytes` to `url` atomically (creating missing parent directories).
    public static func write(_ bytes: [UInt8], to url: URL) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw DTSError(.io, "cannot write: it is a directory; name the output file", file: url.path)
        }
        do { try FileManager.default.writeAtomically(Data(bytes), to: url) } catch {
            throw DTSError(.io, "cannot write: \(reason(of: error, at: url))", file: url.path)
        }
    }

    /// A short lower-case reason for an errno value.
    static func reason(_ code: Int32) -> String {
        switch code {
        case ENOENT: return "no such file"
        case EACCES, EPERM: return "permission denied"
        case EISDIR: return "it is a directory"
        case ENOTDIR: return "a component of the path is not a directory"
        default:
            let text = String(cString: strerror(code))
            return text.prefix(1).lowercased() + text.dropFirst()
        }
    }

    /// The POSIX reason under a Foundation error, or the nearest thing to it.
    static func reason(of error: Error, at url: URL) -> String {
        var current: NSError? = error as NSError
        while let e = current {
            if e.domain == NSPOSIXErrorDomain { return reason(Int32(e.code)) }
            current = e.userInfo[NSUnderlyingErrorKey] as? NSError
        }
        // No POSIX code: find the first path component that is missing or not a directory.
        var path = url.deletingLastPathComponent()
        var parents: [URL] = []
        while path.path != "/" { parents.insert(path, at: 0); path = path.deletingLastPathComponent() }
        for parent in parents {
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: parent.path, isDirectory: &isDirectory) { break }
            if !isDirectory.boolValue { return "\(parent.path) is not a directory" }
        }
        if access(url.deletingLastPathComponent().path, W_OK) != 0 { return reason(errno) }
        switch (error as? CocoaError)?.code {
        case .fileWriteOutOfSpace?: return "no space left on the device"
        case .fileWriteVolumeReadOnly?: return "read-only file system"
        case .fileWriteNoPermission?: return "permission denied"
        default: return (error as NSError).localizedDescription
        }
    }
}
