import WasmEngine

/// The fd_* calls: stdio goes to the platform, files and directories come
/// from the preopened trees and are read-only.
extension WASI {
    func descriptor(_ fd: Int32) throws(WASIErrno) -> Descriptor {
        guard let descriptor = descriptors[fd] else { throw .badf }
        return descriptor
    }

    func fdWrite(_ m: GuestMemory, _ a: Arguments) throws(WASIErrno) {
        let d = try descriptor(a.fd(0))
        guard case .stdio(let host) = d.kind, host != 0 else { throw .badf }
        var total = 0
        for vector in try m.iovecs(a.i32(1), a.i32(2)) where vector.count > 0 {
            let written = platform.write(fd: host, UnsafeRawBufferPointer(vector))
            if written < 0 {
                if total == 0 { throw Self.errno(fromNegative: written) }
                break
            }
            total += min(written, vector.count)
            if written < vector.count { break }
        }
        try m.store32(UInt32(truncatingIfNeeded: total), at: a.i32(3))
    }

    /// A platform's negated errno as a WASIErrno (EIO when out of range).
    static func errno(fromNegative value: Int) -> WASIErrno {
        value < 0 && value >= -76 ? WASIErrno(UInt16(-value)) : .io
    }

    func fdPwrite(_ m: GuestMemory, _ a: Arguments) throws(WASIErrno) {
        let d = try descriptor(a.fd(0))
        _ = try m.iovecs(a.i32(1), a.i32(2))
        if case .stdio = d.kind { throw .spipe }
        throw .badf     // tree descriptors are never open for writing
    }

    func fdRead(_ m: GuestMemory, _ a: Arguments) throws(WASIErrno) {
        let fd = a.fd(0)
        var d = try descriptor(fd)
        let vectors = try m.iovecs(a.i32(1), a.i32(2))
        var total = 0
        switch d.kind {
        case .stdio(let host):
            guard host == 0 else { throw .badf }
            for vector in vectors where vector.count > 0 {
                let count = platform.read(fd: host, into: vector)
                if count < 0 {
                    if total == 0 { throw Self.errno(fromNegative: count) }
                    break
                }
                total += min(count, vector.count)
                if count < vector.count { break }
            }
        case .directory:
            throw .isdir
        case .file(let tree, let node):
            total = copy(from: trees[tree].nodes[node].contents, at: d.position, into: vectors)
            d.position += UInt64(total)
            descriptors[fd] = d
        }
        try m.store32(UInt32(truncatingIfNeeded: total), at: a.i32(3))
    }

    func fdPread(_ m: GuestMemory, _ a: Arguments) throws(WASIErrno) {
        let d = try descriptor(a.fd(0))
        let vectors = try m.iovecs(a.i32(1), a.i32(2))
        switch d.kind {
        case .stdio: throw .spipe
        case .directory: throw .isdir
        case .file(let tree, let node):
            let total = copy(from: trees[tree].nodes[node].contents, at: a.i64(3), into: vectors)
            try m.store32(UInt32(truncatingIfNeeded: total), at: a.i32(4))
        }
    }

    /// Copies file bytes from `offset` into the vectors; returns the count.
    func copy(from contents: [UInt8], at offset: UInt64, into vectors: [UnsafeMutableRawBufferPointer]) -> Int {
        guard offset < UInt64(contents.count) else { return 0 }
        var position = Int(offset), total = 0
        contents.withUnsafeBytes { source in
            for vector in vectors where vector.count > 0 {
                let count = min(vector.count, contents.count - position)
                if count == 0 { break }
                vector.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[position..<(position + count)]))
                position += count
                total += count
            }
        }
        return total
    }

    func fdSeek(_ m: GuestMemory, _ a: Arguments) throws(WASIErrno) {
        let fd = a.fd(0)
        var d = try descriptor(fd)
        let offset = Int64(bitPattern: a.i64(1))
        let whence = a.i32(2)
        switch d.kind {
        case .stdio: throw .spipe
        case .directory: throw .badf
        case .file(let tree, let node):
            let base: Int64
            switch whence {
            case UInt32(WASIABI.whenceSet): base = 0
            case UInt32(WASIABI.whenceCur): base = Int64(d.position)
            case UInt32(WASIABI.whenceEnd): base = Int64(trees[tree].nodes[node].contents.count)
            default: throw .inval
            }
            let (target, overflow) = base.addingReportingOverflow(offset)
            guard !overflow, target >= 0 else { throw .inval }
            try m.store64(UInt64(target), at: a.i32(3))
            d.position = UInt64(target)
            descriptors[fd] = d
        }
    }

    func fdTell(_ m: GuestMemory, _ a: Arguments) throws(WASIErrno) {
        let d = try descriptor(a.fd(0))
        switch d.kind {
        case .stdio: throw .spipe
        case .directory: throw .badf
        case .file: try m.store64(d.position, at: a.i32(1))
        }
    }

    func fdClose(_ m: GuestMemory, _ a: Arguments) throws(WASIErrno) {
        guard descriptors.removeValue(forKey: a.fd(0)) != nil else { throw .badf }
    }

    func fdRenumber(_ m: GuestMemory, _ a: Arguments) throws(WASIErrno) {
        let from = a.fd(0), to = a.fd(1)
        let d = try descriptor(from)
        _ = try descriptor(to)
        guard from != to else { return }
        descriptors[to] = d
        descriptors[from] = nil
    }

    func fdSync(_ m: GuestMemory, _ a: Arguments) throws(WASIErrno) {
        if case .stdio = try descriptor(a.fd(0)).kind { throw .inval }
    }

    func fdAdvise(_ m: GuestMemory, _ a: Arguments) throws(WASIErrno) {
        let d = try descriptor(a.fd(0))
        guard a.i32(3) <= 5 else { throw .inval }
        switch d.kind {
        case .stdio: throw .spipe
        case .directory: throw .badf
        case .file: return
        }
    }

    func fdAllocate(_ m: GuestMemory, _ a: Arguments) throws(WASIErrno) {
        if case .stdio = try descriptor(a.fd(0)).kind { throw .spipe }
        throw .badf
    }

    func fdFilestatSetSize(_ m: GuestMemory, _ a: Arguments) throws(WASIErrno) {
        if case .stdio = try descriptor(a.fd(0)).kind { throw .inval }
        throw .badf
    }

    func fdFilestatSetTimes(_ m: GuestMemory, _ a: Arguments) throws(WASIErrno) {
        let d = try descriptor(a.fd(0))
        try Self.checkTimeFlags(a.i32(3))
        if case .stdio = d.kind { throw .nosys }
        throw .rofs
    }

    /// fstflags: ATIM (1) and ATIM_NOW (2) exclude each other, as do MTIM (4) and MTIM_NOW (8).
    static func checkTimeFlags(_ flags: UInt32) throws(WASIErrno) {
        guard flags & ~0xF == 0, flags & 0x3 != 0x3, flags & 0xC != 0xC else { throw .inval }
    }

    func fileType(_ d: Descriptor) -> UInt8 {
        switch d.kind {
        case .stdio(let host):
            return platform.isTerminal(fd: host) ? WASIABI.filetypeCharacterDevice : WASIABI.filetypeUnknown
        case .directory: return WASIABI.filetypeDirectory
        case .file: return WASIABI.filetypeRegularFile
        }
    }

    func fdFdstatGet(_ m: GuestMemory, _ a: Arguments) throws(WASIErrno) {
        let d = try descriptor(a.fd(0))
        let p = a.i32(1)
        _ = try m.range(p, 24)
        try m.write([UInt8](repeating: 0, count: 24), at: p)
        try m.store8(fileType(d), at: p)
        try m.store16(d.flags, at: p + 2)
        try m.store64(d.rightsBase, at: p + 8)
        try m.store64(d.rightsInheriting, at: p + 16)
    }

    func fdFdstatSetFlags(_ m: GuestMemory, _ a: Arguments) throws(WASIErrno) {
        let fd = a.fd(0)
        var d = try descriptor(fd)
        let flags = a.i32(1)
        guard flags & ~0x1F == 0 else { throw .inval }
        if case .stdio = d.kind, flags & ~UInt32(WASIABI.fdflagAppend) != 0 {
            // Non-blocking or synchronous stdio is not something the platform offers.
            throw .nosys
        }
        d.flags = UInt16(flags)
        descriptors[fd] = d
    }

    func fdFdstatSetRights(_ m: GuestMemory, _ a: Arguments) throws(WASIErrno) {
        let fd = a.fd(0)
        var d = try descriptor(fd)
        let base = a.i64(1), inheriting = a.i64(2)
        // Rights can only be dropped, never gained.
        guard base & ~d.rightsBase == 0, inheriting & ~d.rightsInheriting == 0 else { throw .notcapable }
        d.rightsBase = base
        d.rightsInheriting = inheriting
        descriptors[fd] = d
    }

    func fdFilestatGet(_ m: GuestMemory, _ a: Arguments) throws(WASIErrno) {
        let d = try descriptor(a.fd(0))
        switch d.kind {
        case .stdio:
            try writeFilestat(m, at: a.i32(1), device: 0, inode: 0, type: fileType(d), links: 0, size: 0)
        case .directory(let tree, let node), .file(let tree, let node):
            try writeFilestat(m, tree: tree, node: node, at: a.i32(1))
        }
    }

    /// The filestat of a tree node: the device is the tree (1, 2, … in preopen
    /// order), the inode the node's index + 1, all times 0.
    func writeFilestat(_ m: GuestMemory, tree: Int, node: Int, at p: UInt32) throws(WASIErrno) {
        let n = trees[tree].nodes[node]
        try writeFilestat(m, at: p, device: UInt64(tree + 1), inode: UInt64(node + 1),
                          type: n.kind == .file ? WASIABI.filetypeRegularFile : WASIABI.filetypeDirectory,
                          links: 1, size: UInt64(n.contents.count))
    }

    func writeFilestat(_ m: GuestMemory, at p: UInt32, device: UInt64, inode: UInt64, type: UInt8,
                       links: UInt64, size: UInt64) throws(WASIErrno) {
        _ = try m.range(p, 64)
        try m.write([UInt8](repeating: 0, count: 64), at: p)
        try m.store64(device, at: p)
        try m.store64(inode, at: p + 8)
        try m.store8(type, at: p + 16)
        try m.store64(links, at: p + 24)
        try m.store64(size, at: p + 32)
    }

    func fdPrestatGet(_ m: GuestMemory, _ a: Arguments) throws(WASIErrno) {
        // wasi-libc scans fds from 3 until EBADF: anything not a preopen is EBADF.
        guard let path = try descriptor(a.fd(0)).preopenPath else { throw .badf }
        let p = a.i32(1)
        _ = try m.range(p, 8)
        try m.write([UInt8](repeating: 0, count: 8), at: p)
        try m.store8(WASIABI.preopenDirectory, at: p)
        try m.store32(UInt32(truncatingIfNeeded: path.count), at: p + 4)
    }

    func fdPrestatDirName(_ m: GuestMemory, _ a: Arguments) throws(WASIErrno) {
        guard let path = try descriptor(a.fd(0)).preopenPath else { throw .badf }
        guard Int(a.i32(2)) >= path.count else { throw .nameTooLong }
        try m.write(path, at: a.i32(1))
    }

    /// fd_readdir(fd, buf, buf_len, cookie, bufused): "." and "..", then the
    /// entries in byte order of their names; an entry's d_next is its index + 1.
    /// A full buffer (bufused == buf_len) tells the caller to ask again.
    func fdReaddir(_ m: GuestMemory, _ a: Arguments) throws(WASIErrno) {
        let d = try descriptor(a.fd(0))
        guard case .directory(let tree, let node) = d.kind else {
            if case .file = d.kind { throw .notdir }
            throw .badf
        }
        let buffer = try m.slice(a.i32(1), a.i32(2))
        let cookie = a.i64(3)
        let nodes = trees[tree].nodes
        let directory = nodes[node]
        var entries: [(name: [UInt8], inode: Int, type: UInt8)] = [
            ([UInt8(ascii: ".")], node + 1, WASIABI.filetypeDirectory),
            ([UInt8(ascii: "."), UInt8(ascii: ".")], directory.parent + 1, WASIABI.filetypeDirectory),
        ]
        for child in directory.order {
            entries.append((nodes[child].name, child + 1,
                            nodes[child].kind == .file ? WASIABI.filetypeRegularFile : WASIABI.filetypeDirectory))
        }
        var bytes: [UInt8] = []
        if cookie < UInt64(entries.count) {
            for index in Int(cookie)..<entries.count {
                if bytes.count >= buffer.count { break }
                let entry = entries[index]
                Self.appendLittleEndian(UInt64(index + 1), to: &bytes)
                Self.appendLittleEndian(UInt64(entry.inode), to: &bytes)
                Self.appendLittleEndian(UInt32(entry.name.count), to: &bytes)
                bytes.append(entry.type)
                bytes.append(contentsOf: [0, 0, 0])
                bytes.append(contentsOf: entry.name)
            }
        }
        let used = min(bytes.count, buffer.count)
        if used > 0 {
            bytes.withUnsafeBytes { source in
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[0..<used]))
            }
        }
        try m.store32(UInt32(used), at: a.i32(4))
    }

    static func appendLittleEndian<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        var v = value
        for _ in 0..<(T.bitWidth / 8) {
            bytes.append(UInt8(truncatingIfNeeded: v))
            v >>= 8
        }
    }
}
