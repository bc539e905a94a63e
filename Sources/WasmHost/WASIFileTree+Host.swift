import Foundation
import WASI

/// How much of a host directory `WASIFileTree.load` takes in, at most: the
/// whole tree is held in memory.
public struct FileTreeLimits: Sendable {
    public var maxFileBytes: Int
    public var maxTotalBytes: Int
    public var maxEntries: Int

    public init(maxFileBytes: Int = 256 << 20, maxTotalBytes: Int = 1 << 30, maxEntries: Int = 100_000) {
        self.maxFileBytes = maxFileBytes
        self.maxTotalBytes = maxTotalBytes
        self.maxEntries = maxEntries
    }
}

extension WASIFileTree {
    /// Reads a host directory into a tree. Symlinks are followed when they
    /// stay inside the directory (the tree holds a copy of what they point
    /// at) and refused when they leave it or dangle; sockets, FIFOs and
    /// devices are refused too, so what the module sees is exactly the files.
    public static func load(directory: URL, limits: FileTreeLimits = FileTreeLimits()) throws -> WASIFileTree {
        let root = directory.standardizedFileURL.resolvingSymlinksInPath()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw WasmHostError.directory("--dir \(directory.path): no such directory")
        }
        var loader = Loader(root: root, limits: limits)
        try loader.walk(root, into: "", depth: 0)
        return loader.tree
    }

    private struct Loader {
        let root: URL
        let limits: FileTreeLimits
        var tree = WASIFileTree()
        var entries = 0

        init(root: URL, limits: FileTreeLimits) {
            self.root = root
            self.limits = limits
        }

        func inside(_ url: URL) -> Bool {
            url.path == root.path || url.path.hasPrefix(root.path.hasSuffix("/") ? root.path : root.path + "/")
        }

        mutating func walk(_ directory: URL, into treePath: String, depth: Int) throws {
            // Symlinked directories inside the tree may form a loop.
            guard depth < 64 else {
                throw WasmHostError.directory("\(directory.path): directories nested more than 64 deep (a symlink loop?)")
            }
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
            } catch {
                throw WasmHostError.directory("cannot list \(directory.path): \((error as NSError).localizedDescription)")
            }
            for name in names {
                let url = directory.appendingPathComponent(name)
                let path = treePath.isEmpty ? name : treePath + "/" + name
                entries += 1
                guard entries <= limits.maxEntries else {
                    throw WasmHostError.directory("\(root.path) has more than \(limits.maxEntries) entries",
                                                  hint: "preopen a smaller directory")
                }
                var target = url
                var info = stat()
                guard lstat(url.path, &info) == 0 else {
                    throw WasmHostError.directory("cannot read \(url.path): \(String(cString: strerror(errno)))")
                }
                if info.st_mode & S_IFMT == S_IFLNK {
                    target = url.resolvingSymlinksInPath()
                    let destination = (try? FileManager.default.destinationOfSymbolicLink(atPath: url.path)) ?? "?"
                    guard inside(target) else {
                        throw WasmHostError.directory("refusing symlink \(url.path) -> \(destination): it points outside \(root.path)",
                                                      hint: "the module may only see files below the preopened directory; copy the file in instead")
                    }
                    guard stat(target.path, &info) == 0 else {
                        throw WasmHostError.directory("refusing symlink \(url.path) -> \(destination): it points nowhere")
                    }
                }
                switch info.st_mode & S_IFMT {
                case S_IFDIR:
                    do { try tree.addDirectory(path) } catch { throw WasmHostError.directory("\(url.path): \(error.message)") }
                    try walk(target, into: path, depth: depth + 1)
                case S_IFREG:
                    guard Int(info.st_size) <= limits.maxFileBytes else {
                        throw WasmHostError.directory("\(url.path) is \(info.st_size) bytes, more than the limit of \(limits.maxFileBytes)",
                                                      hint: "preopen a directory without large files")
                    }
                    guard tree.totalBytes + Int(info.st_size) <= limits.maxTotalBytes else {
                        throw WasmHostError.directory("\(root.path) holds more than \(limits.maxTotalBytes) bytes of files",
                                                      hint: "preopen a smaller directory")
                    }
                    guard let data = FileManager.default.contents(atPath: target.path) else {
                        throw WasmHostError.directory("cannot read \(url.path)")
                    }
                    do { try tree.addFile(path, contents: [UInt8](data)) } catch { throw WasmHostError.directory("\(url.path): \(error.message)") }
                default:
                    throw WasmHostError.directory("refusing \(url.path): not a regular file or directory",
                                                  hint: "only files and directories can be preopened (no sockets, FIFOs or devices)")
                }
            }
        }
    }
}
