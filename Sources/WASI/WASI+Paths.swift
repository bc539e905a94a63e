import WasmEngine

/// The path_* calls. Paths are relative to a directory descriptor and may not
/// leave it: absolute paths and '..' above it are ENOTCAPABLE. The trees are
/// read-only, so every call that would change one is EROFS.
extension WASI {
    /// The directory a path call starts from.
    func directory(_ fd: Int32) throws(WASIErrno) -> (tree: Int, node: Int) {
        switch try descriptor(fd).kind {
        case .directory(let tree, let node): return (tree, node)
        case .file, .stdio: throw .notdir
        }
    }

    /// Looks `path` up below directory `fd`.
    func resolve(_ fd: Int32, _ path: [UInt8]) throws(WASIErrno) -> (tree: Int, node: Int) {
        let (tree, base) = try directory(fd)
        try Self.checkContained(path)
        let nodes = trees[tree].nodes
        var stack = [base]
        for part in path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            let current = stack[stack.count - 1]
            guard nodes[current].kind == .directory else { throw .notdir }
            if part.elementsEqual([UInt8(ascii: ".")]) { continue }
            if part.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]) {
                guard stack.count > 1 else { throw .notcapable }
                stack.removeLast()
                continue
            }
            guard let next = nodes[current].children[Array(part)] else { throw .noent }
            stack.append(next)
        }
        let node = stack[stack.count - 1]
        if path.last == UInt8(ascii: "/"), nodes[node].kind != .directory { throw .notdir }
        return (tree, node)
    }

    /// Refuses, before any lookup, paths that could leave the directory:
    /// empty (ENOENT), absolute or climbing above their start with '..' (ENOTCAPABLE).
    static func checkContained(_ path: [UInt8]) throws(WASIErrno) {
        guard !path.isEmpty else { throw .noent }
        guard path[0] != UInt8(ascii: "/") else { throw .notcapable }
        guard !path.contains(0) else { throw .inval }
        var depth = 0
        for part in path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            if part.elementsEqual([UInt8(ascii: ".")]) { continue }
            if part.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]) {
                depth -= 1
                if depth < 0 { throw .notcapable }
            } else {
                depth += 1
            }
        }
    }

    /// path_open(fd, dirflags, path, path_len, oflags, rights_base,
    /// rights_inheriting, fdflags, result_fd).
    func pathOpen(_ m: GuestMemory, _ a: Arguments) throws(WASIErrno) {
        let path = try m.read(a.i32(2), a.i32(3))
        let oflags = a.i32(4), rights = a.i64(5), fdflags = a.i32(7)
        let resultPointer = a.i32(8)
        _ = try m.range(resultPointer, 4)
        guard oflags & ~0xF == 0, fdflags & ~0x1F == 0 else { throw .inval }
        let creates = oflags & UInt32(WASIABI.oflagCreat) != 0
        let truncates = oflags & UInt32(WASIABI.oflagTrunc) != 0
        let writes = rights & WASIABI.writeRights != 0 || fdflags & UInt32(WASIABI.fdflagAppend) != 0

        let found: (tree: Int, node: Int)
        do throws(WASIErrno) {
            found = try resolve(a.fd(0), path)
        } catch {
            if error == .noent && creates { throw .rofs }
            throw error
        }
        if creates && oflags & UInt32(WASIABI.oflagExcl) != 0 { throw .exist }
        let kind = trees[found.tree].nodes[found.node].kind
        if oflags & UInt32(WASIABI.oflagDirectory) != 0 && kind != .directory { throw .notdir }
        if writes || truncates { throw kind == .directory ? .isdir : .rofs }

        guard descriptors.count < Self.maxDescriptors else { throw .mfile }
        var fd: Int32 = 3
        while descriptors[fd] != nil { fd += 1 }
        var descriptor: Descriptor
        if kind == .directory {
            descriptor = Descriptor(kind: .directory(tree: found.tree, node: found.node),
                                    rightsBase: WASIABI.directoryRights, rightsInheriting: WASIABI.inheritingRights)
        } else {
            descriptor = Descriptor(kind: .file(tree: found.tree, node: found.node),
                                    rightsBase: WASIABI.fileRights, rightsInheriting: 0)
        }
        descriptor.flags = UInt16(fdflags)
        descriptors[fd] = descriptor
        try m.store32(UInt32(bitPattern: fd), at: resultPointer)
    }

    /// path_filestat_get(fd, flags, path, path_len, buf).
    func pathFilestatGet(_ m: GuestMemory, _ a: Arguments) throws(WASIErrno) {
        let path = try m.read(a.i32(2), a.i32(3))
        let found = try resolve(a.fd(0), path)
        try writeFilestat(m, tree: found.tree, node: found.node, at: a.i32(4))
    }

    /// path_readlink(fd, path, path_len, buf, buf_len, bufused): the trees hold
    /// no symlinks, so an existing path is EINVAL ("not a symlink").
    func pathReadlink(_ m: GuestMemory, _ a: Arguments) throws(WASIErrno) {
        let path = try m.read(a.i32(1), a.i32(2))
        _ = try m.range(a.i32(3), a.i32(4))
        _ = try resolve(a.fd(0), path)
        throw .inval
    }

    /// Checks the target of a call that would change the tree below `fd` at
    /// `path`: the descriptor (EBADF, ENOTDIR), the pointer (EFAULT), the path
    /// (ENOTCAPABLE; ENOENT if `mustExist`). The caller then refuses with EROFS.
    func checkChange(_ m: GuestMemory, fd: Int32, path pointer: UInt32, length: UInt32,
                      mustExist: Bool = false) throws(WASIErrno) {
        let path = try m.read(pointer, length)
        _ = try directory(fd)
        if mustExist {
            _ = try resolve(fd, path)
        } else {
            try Self.checkContained(path)
        }
    }
}
