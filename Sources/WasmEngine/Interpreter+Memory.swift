// The interpreter's memory and table instructions: loads and stores in their plain, constant-
// value, absolute-address and indexed-address forms, f64 arithmetic fused with a load, and the
// bulk memory and table operations. Handlers that can trap return the `Fault` (their threaded-code
// function in Interpreter+Dispatch.swift turns it into the trap) and are always inlined into it.

extension Machine {
    @inline(__always)
    mutating func tableGet(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let table = instance.tables[Int(truncatingIfNeeded: ip[0])]
        ip += 1
        let index = Int(u32(f[a]))
        guard index < table.elements.count else { return .tableOutOfBounds }
        f[d] = table.elements[index]
        return .none
    }

    @inline(__always)
    mutating func tableSet(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let table = instance.tables[Int(truncatingIfNeeded: ip[0])]
        ip += 1
        let index = Int(u32(f[d]))
        guard index < table.elements.count else { return .tableOutOfBounds }
        table.elements[index] = f[a]
        return .none
    }

    @inline(__always)
    mutating func i32Load(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32, addend: Bool = false) -> Fault {
        let address = memoryAddress(f[a], ip[0], width: 4, addend: addend); ip += 1; if _slowPath(address &+ 4 > memorySize) { return .memoryOutOfBounds }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self).littleEndian)
        return .none
    }

    @inline(__always)
    mutating func i64Load(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32, addend: Bool = false) -> Fault {
        let address = memoryAddress(f[a], ip[0], width: 8, addend: addend); ip += 1; if _slowPath(address &+ 8 > memorySize) { return .memoryOutOfBounds }; f[d] = memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt64.self).littleEndian
        return .none
    }

    @inline(__always)
    mutating func f32Load(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32, addend: Bool = false) -> Fault {
        let address = memoryAddress(f[a], ip[0], width: 4, addend: addend); ip += 1; if _slowPath(address &+ 4 > memorySize) { return .memoryOutOfBounds }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self).littleEndian)
        return .none
    }

    @inline(__always)
    mutating func f64Load(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32, addend: Bool = false) -> Fault {
        let address = memoryAddress(f[a], ip[0], width: 8, addend: addend); ip += 1; if _slowPath(address &+ 8 > memorySize) { return .memoryOutOfBounds }; f[d] = memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt64.self).littleEndian
        return .none
    }

    @inline(__always)
    mutating func i32Load8S(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32, addend: Bool = false) -> Fault {
        let address = memoryAddress(f[a], ip[0], width: 1, addend: addend); ip += 1; if _slowPath(address &+ 1 > memorySize) { return .memoryOutOfBounds }; f[d] = UInt64(UInt32(bitPattern: Int32(Int8(bitPattern: memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self)))))
        return .none
    }

    @inline(__always)
    mutating func i32Load8U(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32, addend: Bool = false) -> Fault {
        let address = memoryAddress(f[a], ip[0], width: 1, addend: addend); ip += 1; if _slowPath(address &+ 1 > memorySize) { return .memoryOutOfBounds }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self))
        return .none
    }

    @inline(__always)
    mutating func i32Load16S(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32, addend: Bool = false) -> Fault {
        let address = memoryAddress(f[a], ip[0], width: 2, addend: addend); ip += 1; if _slowPath(address &+ 2 > memorySize) { return .memoryOutOfBounds }; f[d] = UInt64(UInt32(bitPattern: Int32(Int16(bitPattern: memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self).littleEndian))))
        return .none
    }

    @inline(__always)
    mutating func i32Load16U(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32, addend: Bool = false) -> Fault {
        let address = memoryAddress(f[a], ip[0], width: 2, addend: addend); ip += 1; if _slowPath(address &+ 2 > memorySize) { return .memoryOutOfBounds }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self).littleEndian)
        return .none
    }

    @inline(__always)
    mutating func i64Load8S(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32, addend: Bool = false) -> Fault {
        let address = memoryAddress(f[a], ip[0], width: 1, addend: addend); ip += 1; if _slowPath(address &+ 1 > memorySize) { return .memoryOutOfBounds }; f[d] = UInt64(bitPattern: Int64(Int8(bitPattern: memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self))))
        return .none
    }

    @inline(__always)
    mutating func i64Load8U(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32, addend: Bool = false) -> Fault {
        let address = memoryAddress(f[a], ip[0], width: 1, addend: addend); ip += 1; if _slowPath(address &+ 1 > memorySize) { return .memoryOutOfBounds }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self))
        return .none
    }

    @inline(__always)
    mutating func i64Load16S(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32, addend: Bool = false) -> Fault {
        let address = memoryAddress(f[a], ip[0], width: 2, addend: addend); ip += 1; if _slowPath(address &+ 2 > memorySize) { return .memoryOutOfBounds }; f[d] = UInt64(bitPattern: Int64(Int16(bitPattern: memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self).littleEndian)))
        return .none
    }

    @inline(__always)
    mutating func i64Load16U(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32, addend: Bool = false) -> Fault {
        let address = memoryAddress(f[a], ip[0], width: 2, addend: addend); ip += 1; if _slowPath(address &+ 2 > memorySize) { return .memoryOutOfBounds }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self).littleEndian)
        return .none
    }

    @inline(__always)
    mutating func i64Load32S(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32, addend: Bool = false) -> Fault {
        let address = memoryAddress(f[a], ip[0], width: 4, addend: addend); ip += 1; if _slowPath(address &+ 4 > memorySize) { return .memoryOutOfBounds }; f[d] = UInt64(bitPattern: Int64(Int32(bitPattern: memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self).littleEndian)))
        return .none
    }

    @inline(__always)
    mutating func i64Load32U(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32, addend: Bool = false) -> Fault {
        let address = memoryAddress(f[a], ip[0], width: 4, addend: addend); ip += 1; if _slowPath(address &+ 4 > memorySize) { return .memoryOutOfBounds }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self).littleEndian)
        return .none
    }

    @inline(__always)
    mutating func i32Store(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32, addend: Bool = false) -> Fault {
        let address = memoryAddress(f[a], ip[0], width: 4, addend: addend); ip += 1; if _slowPath(address &+ 4 > memorySize) { return .memoryOutOfBounds }; memory.unsafelyUnwrapped.storeBytes(of: UInt32(truncatingIfNeeded: f[d]).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self)
        return .none
    }

    @inline(__always)
    mutating func i64Store(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32, addend: Bool = false) -> Fault {
        let address = memoryAddress(f[a], ip[0], width: 8, addend: addend); ip += 1; if _slowPath(address &+ 8 > memorySize) { return .memoryOutOfBounds }; memory.unsafelyUnwrapped.storeBytes(of: f[d].littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt64.self)
        return .none
    }

    @inline(__always)
    mutating func f32Store(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32, addend: Bool = false) -> Fault {
        let address = memoryAddress(f[a], ip[0], width: 4, addend: addend); ip += 1; if _slowPath(address &+ 4 > memorySize) { return .memoryOutOfBounds }; memory.unsafelyUnwrapped.storeBytes(of: UInt32(truncatingIfNeeded: f[d]).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self)
        return .none
    }

    @inline(__always)
    mutating func f64Store(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32, addend: Bool = false) -> Fault {
        let address = memoryAddress(f[a], ip[0], width: 8, addend: addend); ip += 1; if _slowPath(address &+ 8 > memorySize) { return .memoryOutOfBounds }; memory.unsafelyUnwrapped.storeBytes(of: f[d].littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt64.self)
        return .none
    }

    @inline(__always)
    mutating func i32Store8(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32, addend: Bool = false) -> Fault {
        let address = memoryAddress(f[a], ip[0], width: 1, addend: addend); ip += 1; if _slowPath(address &+ 1 > memorySize) { return .memoryOutOfBounds }; memory.unsafelyUnwrapped.storeBytes(of: UInt8(truncatingIfNeeded: f[d]), toByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self)
        return .none
    }

    @inline(__always)
    mutating func i32Store16(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32, addend: Bool = false) -> Fault {
        let address = memoryAddress(f[a], ip[0], width: 2, addend: addend); ip += 1; if _slowPath(address &+ 2 > memorySize) { return .memoryOutOfBounds }; memory.unsafelyUnwrapped.storeBytes(of: UInt16(truncatingIfNeeded: f[d]).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self)
        return .none
    }

    @inline(__always)
    mutating func i64Store8(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32, addend: Bool = false) -> Fault {
        let address = memoryAddress(f[a], ip[0], width: 1, addend: addend); ip += 1; if _slowPath(address &+ 1 > memorySize) { return .memoryOutOfBounds }; memory.unsafelyUnwrapped.storeBytes(of: UInt8(truncatingIfNeeded: f[d]), toByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self)
        return .none
    }

    @inline(__always)
    mutating func i64Store16(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32, addend: Bool = false) -> Fault {
        let address = memoryAddress(f[a], ip[0], width: 2, addend: addend); ip += 1; if _slowPath(address &+ 2 > memorySize) { return .memoryOutOfBounds }; memory.unsafelyUnwrapped.storeBytes(of: UInt16(truncatingIfNeeded: f[d]).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self)
        return .none
    }

    @inline(__always)
    mutating func i64Store32(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32, addend: Bool = false) -> Fault {
        let address = memoryAddress(f[a], ip[0], width: 4, addend: addend); ip += 1; if _slowPath(address &+ 4 > memorySize) { return .memoryOutOfBounds }; memory.unsafelyUnwrapped.storeBytes(of: UInt32(truncatingIfNeeded: f[d]).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self)

        return .none
    }

    @inline(__always)
    mutating func memorySizeInPages(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        f[d] = memorySize / 65536
    }

    @inline(__always)
    mutating func memoryGrow(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let delta = u32(f[a])
        if let m = instance.memory, let old = m.grow(by: delta) {
            f[d] = UInt64(old)
            memory = m.data
            memorySize = UInt64(m.byteCount)
        } else {
            f[d] = 0xFFFF_FFFF
        }
    }

    @inline(__always)
    mutating func memoryInit(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let destination = UInt64(u32(f[d])), s = UInt64(u32(f[d &+ 1])), n = UInt64(u32(f[d &+ 2]))
        let segment = instance.dataSegments[Int(imm)]
        guard s + n <= UInt64(segment.count), destination + n <= memorySize else { return .memoryOutOfBounds }
        if n > 0 {
            segment.withUnsafeBytes { bytes in
                (memory.unsafelyUnwrapped + Int(destination)).copyMemory(from: bytes.baseAddress.unsafelyUnwrapped + Int(s), byteCount: Int(n))
            }
        }
        return .none
    }

    @inline(__always)
    mutating func dataDrop(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        instance.dataSegments[Int(imm)] = []
    }

    @inline(__always)
    mutating func memoryCopy(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let destination = UInt64(u32(f[d])), s = UInt64(u32(f[d &+ 1])), n = UInt64(u32(f[d &+ 2]))
        guard s + n <= memorySize, destination + n <= memorySize else { return .memoryOutOfBounds }
        if n > 0 { (memory.unsafelyUnwrapped + Int(destination)).copyMemory(from: memory.unsafelyUnwrapped + Int(s), byteCount: Int(n)) }
        return .none
    }

    @inline(__always)
    mutating func memoryFill(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let destination = UInt64(u32(f[d])), v = UInt8(truncatingIfNeeded: f[d &+ 1]), n = UInt64(u32(f[d &+ 2]))
        guard destination + n <= memorySize else { return .memoryOutOfBounds }
        if n > 0 { (memory.unsafelyUnwrapped + Int(destination)).initializeMemory(as: UInt8.self, repeating: v, count: Int(n)) }
        return .none
    }

    @inline(__always)
    mutating func tableInit(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let table = instance.tables[Int(truncatingIfNeeded: ip[0])]
        ip += 1
        let destination = Int(u32(f[d])), s = Int(u32(f[d &+ 1])), n = Int(u32(f[d &+ 2]))
        let segment = instance.elementSegments[Int(imm)]
        guard s + n <= segment.count, destination + n <= table.elements.count else { return .tableOutOfBounds }
        for i in 0..<n { table.elements[destination + i] = segment[s + i] }
        return .none
    }

    @inline(__always)
    mutating func elemDrop(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        instance.elementSegments[Int(imm)] = []
    }

    @inline(__always)
    mutating func tableCopy(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let source = instance.tables[Int(truncatingIfNeeded: ip[0])]
        ip += 1
        let target = instance.tables[Int(imm)]
        let destination = Int(u32(f[d])), s = Int(u32(f[d &+ 1])), n = Int(u32(f[d &+ 2]))
        guard s + n <= source.elements.count, destination + n <= target.elements.count else { return .tableOutOfBounds }
        if n > 0 {
            if source === target && destination > s {
                var i = n - 1
                while i >= 0 { target.elements[destination + i] = target.elements[s + i]; i -= 1 }
            } else {
                for i in 0..<n { target.elements[destination + i] = source.elements[s + i] }
            }
        }
        return .none
    }

    @inline(__always)
    mutating func tableGrow(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let table = instance.tables[Int(imm)]
        f[d] = UInt64(table.grow(by: u32(f[d &+ 1]), fill: f[d]) ?? 0xFFFF_FFFF)
    }

    @inline(__always)
    mutating func tableSize(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        f[d] = UInt64(instance.tables[Int(imm)].elements.count)
    }

    @inline(__always)
    mutating func tableFill(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let table = instance.tables[Int(imm)]
        let destination = Int(u32(f[d])), v = f[d &+ 1], n = Int(u32(f[d &+ 2]))
        guard destination + n <= table.elements.count else { return .tableOutOfBounds }
        for i in 0..<n { table.elements[destination + i] = v }
        return .none
    }

    @inline(__always)
    mutating func i32StoreConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a], ip[0]); let value = ip[1]; ip += 2; if _slowPath(address &+ 4 > memorySize) { return .memoryOutOfBounds }; memory.unsafelyUnwrapped.storeBytes(of: UInt32(truncatingIfNeeded: value).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self)
        return .none
    }

    @inline(__always)
    mutating func i64StoreConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a], ip[0]); let value = ip[1]; ip += 2; if _slowPath(address &+ 8 > memorySize) { return .memoryOutOfBounds }; memory.unsafelyUnwrapped.storeBytes(of: value.littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt64.self)
        return .none
    }

    @inline(__always)
    mutating func f32StoreConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a], ip[0]); let value = ip[1]; ip += 2; if _slowPath(address &+ 4 > memorySize) { return .memoryOutOfBounds }; memory.unsafelyUnwrapped.storeBytes(of: UInt32(truncatingIfNeeded: value).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self)
        return .none
    }

    @inline(__always)
    mutating func f64StoreConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a], ip[0]); let value = ip[1]; ip += 2; if _slowPath(address &+ 8 > memorySize) { return .memoryOutOfBounds }; memory.unsafelyUnwrapped.storeBytes(of: value.littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt64.self)
        return .none
    }

    @inline(__always)
    mutating func i32Store8Const(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a], ip[0]); let value = ip[1]; ip += 2; if _slowPath(address &+ 1 > memorySize) { return .memoryOutOfBounds }; memory.unsafelyUnwrapped.storeBytes(of: UInt8(truncatingIfNeeded: value), toByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self)
        return .none
    }

    @inline(__always)
    mutating func i32Store16Const(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a], ip[0]); let value = ip[1]; ip += 2; if _slowPath(address &+ 2 > memorySize) { return .memoryOutOfBounds }; memory.unsafelyUnwrapped.storeBytes(of: UInt16(truncatingIfNeeded: value).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self)
        return .none
    }

    @inline(__always)
    mutating func i64Store8Const(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a], ip[0]); let value = ip[1]; ip += 2; if _slowPath(address &+ 1 > memorySize) { return .memoryOutOfBounds }; memory.unsafelyUnwrapped.storeBytes(of: UInt8(truncatingIfNeeded: value), toByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self)
        return .none
    }

    @inline(__always)
    mutating func i64Store16Const(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a], ip[0]); let value = ip[1]; ip += 2; if _slowPath(address &+ 2 > memorySize) { return .memoryOutOfBounds }; memory.unsafelyUnwrapped.storeBytes(of: UInt16(truncatingIfNeeded: value).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self)
        return .none
    }

    @inline(__always)
    mutating func i64Store32Const(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a], ip[0]); let value = ip[1]; ip += 2; if _slowPath(address &+ 4 > memorySize) { return .memoryOutOfBounds }; memory.unsafelyUnwrapped.storeBytes(of: UInt32(truncatingIfNeeded: value).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self)
        return .none
    }

    @inline(__always)
    mutating func i32LoadAbsolute(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = ip[0]; ip += 1; if _slowPath(address &+ 4 > memorySize) { return .memoryOutOfBounds }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self).littleEndian)
        return .none
    }

    @inline(__always)
    mutating func i64LoadAbsolute(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = ip[0]; ip += 1; if _slowPath(address &+ 8 > memorySize) { return .memoryOutOfBounds }; f[d] = memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt64.self).littleEndian
        return .none
    }

    @inline(__always)
    mutating func f32LoadAbsolute(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = ip[0]; ip += 1; if _slowPath(address &+ 4 > memorySize) { return .memoryOutOfBounds }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self).littleEndian)
        return .none
    }

    @inline(__always)
    mutating func f64LoadAbsolute(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = ip[0]; ip += 1; if _slowPath(address &+ 8 > memorySize) { return .memoryOutOfBounds }; f[d] = memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt64.self).littleEndian
        return .none
    }

    @inline(__always)
    mutating func i32Load8SAbsolute(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = ip[0]; ip += 1; if _slowPath(address &+ 1 > memorySize) { return .memoryOutOfBounds }; f[d] = UInt64(UInt32(bitPattern: Int32(Int8(bitPattern: memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self)))))
        return .none
    }

    @inline(__always)
    mutating func i32Load8UAbsolute(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = ip[0]; ip += 1; if _slowPath(address &+ 1 > memorySize) { return .memoryOutOfBounds }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self))
        return .none
    }

    @inline(__always)
    mutating func i32Load16SAbsolute(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = ip[0]; ip += 1; if _slowPath(address &+ 2 > memorySize) { return .memoryOutOfBounds }; f[d] = UInt64(UInt32(bitPattern: Int32(Int16(bitPattern: memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self).littleEndian))))
        return .none
    }

    @inline(__always)
    mutating func i32Load16UAbsolute(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = ip[0]; ip += 1; if _slowPath(address &+ 2 > memorySize) { return .memoryOutOfBounds }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self).littleEndian)
        return .none
    }

    @inline(__always)
    mutating func i64Load8SAbsolute(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = ip[0]; ip += 1; if _slowPath(address &+ 1 > memorySize) { return .memoryOutOfBounds }; f[d] = UInt64(bitPattern: Int64(Int8(bitPattern: memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self))))
        return .none
    }

    @inline(__always)
    mutating func i64Load8UAbsolute(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = ip[0]; ip += 1; if _slowPath(address &+ 1 > memorySize) { return .memoryOutOfBounds }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self))
        return .none
    }

    @inline(__always)
    mutating func i64Load16SAbsolute(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = ip[0]; ip += 1; if _slowPath(address &+ 2 > memorySize) { return .memoryOutOfBounds }; f[d] = UInt64(bitPattern: Int64(Int16(bitPattern: memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self).littleEndian)))
        return .none
    }

    @inline(__always)
    mutating func i64Load16UAbsolute(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = ip[0]; ip += 1; if _slowPath(address &+ 2 > memorySize) { return .memoryOutOfBounds }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self).littleEndian)
        return .none
    }

    @inline(__always)
    mutating func i64Load32SAbsolute(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = ip[0]; ip += 1; if _slowPath(address &+ 4 > memorySize) { return .memoryOutOfBounds }; f[d] = UInt64(bitPattern: Int64(Int32(bitPattern: memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self).littleEndian)))
        return .none
    }

    @inline(__always)
    mutating func i64Load32UAbsolute(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = ip[0]; ip += 1; if _slowPath(address &+ 4 > memorySize) { return .memoryOutOfBounds }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self).littleEndian)
        return .none
    }

    @inline(__always)
    mutating func i32LoadIndexed(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if _slowPath(address &+ 4 > memorySize) { return .memoryOutOfBounds }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self).littleEndian)
        return .none
    }

    @inline(__always)
    mutating func i64LoadIndexed(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if _slowPath(address &+ 8 > memorySize) { return .memoryOutOfBounds }; f[d] = memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt64.self).littleEndian
        return .none
    }

    @inline(__always)
    mutating func f32LoadIndexed(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if _slowPath(address &+ 4 > memorySize) { return .memoryOutOfBounds }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self).littleEndian)
        return .none
    }

    @inline(__always)
    mutating func f64LoadIndexed(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if _slowPath(address &+ 8 > memorySize) { return .memoryOutOfBounds }; f[d] = memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt64.self).littleEndian
        return .none
    }

    @inline(__always)
    mutating func i32Load8SIndexed(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if _slowPath(address &+ 1 > memorySize) { return .memoryOutOfBounds }; f[d] = UInt64(UInt32(bitPattern: Int32(Int8(bitPattern: memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self)))))
        return .none
    }

    @inline(__always)
    mutating func i32Load8UIndexed(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if _slowPath(address &+ 1 > memorySize) { return .memoryOutOfBounds }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self))
        return .none
    }

    @inline(__always)
    mutating func i32Load16SIndexed(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if _slowPath(address &+ 2 > memorySize) { return .memoryOutOfBounds }; f[d] = UInt64(UInt32(bitPattern: Int32(Int16(bitPattern: memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self).littleEndian))))
        return .none
    }

    @inline(__always)
    mutating func i32Load16UIndexed(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if _slowPath(address &+ 2 > memorySize) { return .memoryOutOfBounds }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self).littleEndian)
        return .none
    }

    @inline(__always)
    mutating func i64Load8SIndexed(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if _slowPath(address &+ 1 > memorySize) { return .memoryOutOfBounds }; f[d] = UInt64(bitPattern: Int64(Int8(bitPattern: memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self))))
        return .none
    }

    @inline(__always)
    mutating func i64Load8UIndexed(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if _slowPath(address &+ 1 > memorySize) { return .memoryOutOfBounds }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self))
        return .none
    }

    @inline(__always)
    mutating func i64Load16SIndexed(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if _slowPath(address &+ 2 > memorySize) { return .memoryOutOfBounds }; f[d] = UInt64(bitPattern: Int64(Int16(bitPattern: memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self).littleEndian)))
        return .none
    }

    @inline(__always)
    mutating func i64Load16UIndexed(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if _slowPath(address &+ 2 > memorySize) { return .memoryOutOfBounds }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self).littleEndian)
        return .none
    }

    @inline(__always)
    mutating func i64Load32SIndexed(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if _slowPath(address &+ 4 > memorySize) { return .memoryOutOfBounds }; f[d] = UInt64(bitPattern: Int64(Int32(bitPattern: memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self).littleEndian)))
        return .none
    }

    @inline(__always)
    mutating func i64Load32UIndexed(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if _slowPath(address &+ 4 > memorySize) { return .memoryOutOfBounds }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self).littleEndian)
        return .none
    }

    @inline(__always)
    mutating func i32StoreIndexed(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if _slowPath(address &+ 4 > memorySize) { return .memoryOutOfBounds }; memory.unsafelyUnwrapped.storeBytes(of: UInt32(truncatingIfNeeded: f[d]).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self)
        return .none
    }

    @inline(__always)
    mutating func i64StoreIndexed(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if _slowPath(address &+ 8 > memorySize) { return .memoryOutOfBounds }; memory.unsafelyUnwrapped.storeBytes(of: f[d].littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt64.self)
        return .none
    }

    @inline(__always)
    mutating func f32StoreIndexed(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if _slowPath(address &+ 4 > memorySize) { return .memoryOutOfBounds }; memory.unsafelyUnwrapped.storeBytes(of: UInt32(truncatingIfNeeded: f[d]).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self)
        return .none
    }

    @inline(__always)
    mutating func f64StoreIndexed(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if _slowPath(address &+ 8 > memorySize) { return .memoryOutOfBounds }; memory.unsafelyUnwrapped.storeBytes(of: f[d].littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt64.self)
        return .none
    }

    @inline(__always)
    mutating func i32Store8Indexed(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if _slowPath(address &+ 1 > memorySize) { return .memoryOutOfBounds }; memory.unsafelyUnwrapped.storeBytes(of: UInt8(truncatingIfNeeded: f[d]), toByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self)
        return .none
    }

    @inline(__always)
    mutating func i32Store16Indexed(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if _slowPath(address &+ 2 > memorySize) { return .memoryOutOfBounds }; memory.unsafelyUnwrapped.storeBytes(of: UInt16(truncatingIfNeeded: f[d]).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self)
        return .none
    }

    @inline(__always)
    mutating func i64Store8Indexed(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if _slowPath(address &+ 1 > memorySize) { return .memoryOutOfBounds }; memory.unsafelyUnwrapped.storeBytes(of: UInt8(truncatingIfNeeded: f[d]), toByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self)
        return .none
    }

    @inline(__always)
    mutating func i64Store16Indexed(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if _slowPath(address &+ 2 > memorySize) { return .memoryOutOfBounds }; memory.unsafelyUnwrapped.storeBytes(of: UInt16(truncatingIfNeeded: f[d]).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self)
        return .none
    }

    @inline(__always)
    mutating func i64Store32Indexed(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if _slowPath(address &+ 4 > memorySize) { return .memoryOutOfBounds }; memory.unsafelyUnwrapped.storeBytes(of: UInt32(truncatingIfNeeded: f[d]).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self)
        return .none
    }

    @inline(__always)
    mutating func i32StoreConstIndexed(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a] &+ f[b], ip[0]); let value = ip[1]; ip += 2; if _slowPath(address &+ 4 > memorySize) { return .memoryOutOfBounds }; memory.unsafelyUnwrapped.storeBytes(of: UInt32(truncatingIfNeeded: value).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self)
        return .none
    }

    @inline(__always)
    mutating func i64StoreConstIndexed(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a] &+ f[b], ip[0]); let value = ip[1]; ip += 2; if _slowPath(address &+ 8 > memorySize) { return .memoryOutOfBounds }; memory.unsafelyUnwrapped.storeBytes(of: value.littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt64.self)
        return .none
    }

    @inline(__always)
    mutating func f32StoreConstIndexed(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a] &+ f[b], ip[0]); let value = ip[1]; ip += 2; if _slowPath(address &+ 4 > memorySize) { return .memoryOutOfBounds }; memory.unsafelyUnwrapped.storeBytes(of: UInt32(truncatingIfNeeded: value).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self)
        return .none
    }

    @inline(__always)
    mutating func f64StoreConstIndexed(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a] &+ f[b], ip[0]); let value = ip[1]; ip += 2; if _slowPath(address &+ 8 > memorySize) { return .memoryOutOfBounds }; memory.unsafelyUnwrapped.storeBytes(of: value.littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt64.self)
        return .none
    }

    @inline(__always)
    mutating func i32Store8ConstIndexed(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a] &+ f[b], ip[0]); let value = ip[1]; ip += 2; if _slowPath(address &+ 1 > memorySize) { return .memoryOutOfBounds }; memory.unsafelyUnwrapped.storeBytes(of: UInt8(truncatingIfNeeded: value), toByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self)
        return .none
    }

    @inline(__always)
    mutating func i32Store16ConstIndexed(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a] &+ f[b], ip[0]); let value = ip[1]; ip += 2; if _slowPath(address &+ 2 > memorySize) { return .memoryOutOfBounds }; memory.unsafelyUnwrapped.storeBytes(of: UInt16(truncatingIfNeeded: value).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self)
        return .none
    }

    @inline(__always)
    mutating func i64Store8ConstIndexed(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a] &+ f[b], ip[0]); let value = ip[1]; ip += 2; if _slowPath(address &+ 1 > memorySize) { return .memoryOutOfBounds }; memory.unsafelyUnwrapped.storeBytes(of: UInt8(truncatingIfNeeded: value), toByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self)
        return .none
    }

    @inline(__always)
    mutating func i64Store16ConstIndexed(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a] &+ f[b], ip[0]); let value = ip[1]; ip += 2; if _slowPath(address &+ 2 > memorySize) { return .memoryOutOfBounds }; memory.unsafelyUnwrapped.storeBytes(of: UInt16(truncatingIfNeeded: value).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self)
        return .none
    }

    @inline(__always)
    mutating func i64Store32ConstIndexed(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[a] &+ f[b], ip[0]); let value = ip[1]; ip += 2; if _slowPath(address &+ 4 > memorySize) { return .memoryOutOfBounds }; memory.unsafelyUnwrapped.storeBytes(of: UInt32(truncatingIfNeeded: value).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self)
        return .none
    }

    @inline(__always)
    mutating func f64AddLoad(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[b], ip[0]); ip += 1; if _slowPath(address &+ 8 > memorySize) { return .memoryOutOfBounds }
        let y = f64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt64.self).littleEndian); f[d] = s64(f64(f[a]) + y)
        return .none
    }

    @inline(__always)
    mutating func f64AddStore(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[b], ip[0]); ip += 1; if _slowPath(address &+ 8 > memorySize) { return .memoryOutOfBounds }
        let base = memory.unsafelyUnwrapped, offset = Int(truncatingIfNeeded: address)
        let y = f64(base.loadUnaligned(fromByteOffset: offset, as: UInt64.self).littleEndian)
        base.storeBytes(of: s64(f64(f[a]) + y).littleEndian, toByteOffset: offset, as: UInt64.self)
        return .none
    }

    @inline(__always)
    mutating func f64SubMulMulStore(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        multiplyChainIntoMemory(d, a, b, subtract: true)
    }

    @inline(__always)
    mutating func f64MulMulAddStore(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        multiplyChainIntoMemory(d, a, b, subtract: false)
    }

    /// memory[f[d] + offset] -= (or +=) (a * b) * c, each step rounded; the next words hold the
    /// slot c and the offset word.
    @inline(__always)
    mutating func multiplyChainIntoMemory(_ d: Int, _ a: Int, _ b: Int, subtract: Bool) -> Fault {
        let c = Int(truncatingIfNeeded: ip[0] & 0xFFFF)
        let address = effectiveAddress(f[d], ip[1]); ip += 2; if _slowPath(address &+ 8 > memorySize) { return .memoryOutOfBounds }
        let base = memory.unsafelyUnwrapped, offset = Int(truncatingIfNeeded: address)
        let x = f64(base.loadUnaligned(fromByteOffset: offset, as: UInt64.self).littleEndian)
        let product = (f64(f[a]) * f64(f[b])) * f64(f[c])
        base.storeBytes(of: s64(subtract ? x - product : x + product).littleEndian, toByteOffset: offset, as: UInt64.self)
        return .none
    }

    @inline(__always)
    mutating func f64SubLoad(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[b], ip[0]); ip += 1; if _slowPath(address &+ 8 > memorySize) { return .memoryOutOfBounds }
        let y = f64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt64.self).littleEndian); f[d] = s64(f64(f[a]) - y)
        return .none
    }

    @inline(__always)
    mutating func f64MulLoad(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[b], ip[0]); ip += 1; if _slowPath(address &+ 8 > memorySize) { return .memoryOutOfBounds }
        let y = f64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt64.self).littleEndian); f[d] = s64(f64(f[a]) * y)
        return .none
    }

    @inline(__always)
    mutating func f64LoadSub(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let address = effectiveAddress(f[b], ip[0]); ip += 1; if _slowPath(address &+ 8 > memorySize) { return .memoryOutOfBounds }
        let y = f64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt64.self).littleEndian); f[d] = s64(y - f64(f[a]))
        return .none
    }

    @inline(__always)
    mutating func i32LoadBrIf(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        loadAndBranch(d, a, UInt32.self, ifTrue: true)
    }

    @inline(__always)
    mutating func i32LoadBrUnless(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        loadAndBranch(d, a, UInt32.self, ifTrue: false)
    }

    @inline(__always)
    mutating func i32Load8UBrIf(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        loadAndBranch(d, a, UInt8.self, ifTrue: true)
    }

    @inline(__always)
    mutating func i32Load8UBrUnless(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        loadAndBranch(d, a, UInt8.self, ifTrue: false)
    }

    /// d = the unsigned `T` at f[a] + the offset word (a plain load), then a branch when d is
    /// nonzero (`ifTrue`) or zero, to the target in the word after the offset word.
    @inline(__always)
    mutating func loadAndBranch<T: FixedWidthInteger & UnsignedInteger>(_ d: Int, _ a: Int, _ type: T.Type, ifTrue: Bool) -> Fault {
        let width = UInt64(MemoryLayout<T>.size)
        let address = plainAddress(f[a], ip[0], width: width); if _slowPath(address &+ width > memorySize) { return .memoryOutOfBounds }
        let value = UInt32(T(littleEndian: memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: T.self)))
        f[d] = UInt64(value)
        if (value != 0) == ifTrue { branch(by: ip[1]) } else { ip += 2 }
        return .none
    }
}
