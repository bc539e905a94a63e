import WasmEngine

/// Arguments, environment, clocks, randomness and poll_oneoff.
extension WASI {
    /// A guest address `base + offset`, or EFAULT past 4 GiB.
    static func address(_ base: UInt32, plus offset: Int) throws(WASIErrno) -> UInt32 {
        let sum = UInt64(base) + UInt64(offset)
        guard sum <= UInt64(UInt32.max) else { throw .fault }
        return UInt32(sum)
    }

    /// args_get / environ_get: an array of pointers at a0, NUL-terminated strings at a1.
    func stringsGet(_ strings: [[UInt8]], _ m: GuestMemory, _ a: Arguments) throws(WASIErrno) {
        var pointer = a.i32(0), buffer = a.i32(1)
        for string in strings {
            try m.store32(buffer, at: pointer)
            try m.write(string + [0], at: buffer)
            pointer = try Self.address(pointer, plus: 4)
            buffer = try Self.address(buffer, plus: string.count + 1)
        }
    }

    /// args_sizes_get / environ_sizes_get: the count at a0, the bytes the strings need at a1.
    func stringsSizesGet(_ strings: [[UInt8]], _ m: GuestMemory, _ a: Arguments) throws(WASIErrno) {
        var size = 0
        for string in strings { size += string.count + 1 }
        try m.store32(UInt32(truncatingIfNeeded: strings.count), at: a.i32(0))
        try m.store32(UInt32(truncatingIfNeeded: size), at: a.i32(1))
    }

    func clockResGet(_ m: GuestMemory, _ a: Arguments) throws(WASIErrno) {
        guard let resolution = platform.clockResolution(a.i32(0)) else { throw .inval }
        try m.store64(resolution, at: a.i32(1))
    }

    func clockTimeGet(_ m: GuestMemory, _ a: Arguments) throws(WASIErrno) {
        guard let now = platform.clock(a.i32(0)) else { throw .inval }
        try m.store64(now, at: a.i32(2))
    }

    func randomGet(_ m: GuestMemory, _ a: Arguments) throws(WASIErrno) {
        let buffer = try m.slice(a.i32(0), a.i32(1))
        if buffer.count > 0 { platform.random(into: buffer) }
    }

    /// poll_oneoff(in, out, nsubscriptions, nevents): clock subscriptions wait
    /// (the earliest one fires); fd_read/fd_write subscriptions on stdio and
    /// files are always ready, so they are reported at once without waiting.
    func pollOneoff(_ m: GuestMemory, _ a: Arguments) throws(WASIErrno) {
        let input = a.i32(0), output = a.i32(1), count = a.i32(2)
        guard count > 0 else { throw .inval }
        guard UInt64(count) * 48 <= UInt64(UInt32.max) else { throw .fault }
        _ = try m.range(input, count * 48)
        _ = try m.range(output, count * 32)

        var ready: [PollEvent] = []
        var clocks: [(userdata: UInt64, wait: UInt64)] = []
        for i in 0..<count {
            let s = input + i * 48
            let userdata = try m.load64(s)
            let tag = try m.load8(s + 8)
            switch tag {
            case WASIABI.eventClock:
                let id = try m.load32(s + 16)
                let timeout = try m.load64(s + 24)
                let flags = try m.load16(s + 40)
                guard let now = platform.clock(id) else {
                    ready.append(PollEvent(userdata: userdata, error: .inval, type: tag))
                    continue
                }
                let wait = flags & WASIABI.subscriptionClockAbstime != 0 ? (timeout > now ? timeout - now : 0) : timeout
                clocks.append((userdata, wait))
            case WASIABI.eventFdRead, WASIABI.eventFdWrite:
                let fd = Int32(bitPattern: try m.load32(s + 16))
                guard let descriptor = descriptors[fd] else {
                    ready.append(PollEvent(userdata: userdata, error: .badf, type: tag))
                    continue
                }
                switch descriptor.kind {
                case .stdio(let host):
                    let readable = host == 0
                    let ok = (tag == WASIABI.eventFdRead) == readable
                    ready.append(PollEvent(userdata: userdata, error: ok ? .success : .badf, type: tag))
                case .file(let tree, let node):
                    if tag == WASIABI.eventFdRead {
                        let size = UInt64(trees[tree].nodes[node].contents.count)
                        let left = size > descriptor.position ? size - descriptor.position : 0
                        ready.append(PollEvent(userdata: userdata, error: .success, type: tag, bytes: left))
                    } else {
                        ready.append(PollEvent(userdata: userdata, error: .badf, type: tag))
                    }
                case .directory:
                    ready.append(PollEvent(userdata: userdata, error: .badf, type: tag))
                }
            default:
                throw .inval
            }
        }
        if ready.isEmpty, let first = clocks.min(by: { $0.wait < $1.wait }) {
            if first.wait > 0 { platform.sleep(nanoseconds: first.wait) }
            for clock in clocks where clock.wait <= first.wait {
                ready.append(PollEvent(userdata: clock.userdata, error: .success, type: WASIABI.eventClock))
            }
        }
        for (i, event) in ready.enumerated() {
            let e = output + UInt32(i) * 32
            try m.write([UInt8](repeating: 0, count: 32), at: e)
            try m.store64(event.userdata, at: e)
            try m.store16(event.error.rawValue, at: e + 8)
            try m.store8(event.type, at: e + 10)
            try m.store64(event.bytes, at: e + 16)
        }
        try m.store32(UInt32(ready.count), at: a.i32(3))
    }
}

/// One poll_oneoff result before it is written to guest memory.
struct PollEvent {
    var userdata: UInt64
    var error: WASIErrno
    var type: UInt8
    var bytes: UInt64 = 0
}
