/// Integer expressions in cells and `/memreserve/`, evaluated in 64 bits as
/// dtc does: a literal, a character literal, or `( expression )` with C's
/// operators and precedence (`?:`, `||`, `&&`, `|`, `^`, `&`, `==`, `!=`,
/// `<`, `>`, `<=`, `>=`, `<<`, `>>`, `+`, `-`, `*`, `/`, `%`, unary `-`, `~`, `!`).
extension DTSParser {
    /// The deepest nesting of `( )`, `?:` and unary operators in one
    /// expression, so a hostile source cannot exhaust the stack (each level
    /// costs a dozen calls; real expressions nest a few levels).
    static let maximumExpressionDepth = 64

    /// A literal, character literal or parenthesised expression. `depth`
    /// counts the enclosing nesting levels.
    func primary(_ s: inout DTSScanner, bits: Int, depth: Int = 0) throws -> UInt64 {
        try s.skipTrivia()
        switch s.peek() {
        case UInt8(ascii: "'"):
            return try s.readCharLiteral()
        case UInt8(ascii: "("):
            try checkDepth(depth, s)
            s.advance()
            let value = try expression(&s, depth: depth + 1)
            try s.expect(")", "to close the expression")
            return value
        case let c? where c >= 0x30 && c <= 0x39:
            return try s.readInteger()
        default:
            throw s.error("expected a number, character literal or '(' expression, found \(s.describeNext())")
        }
    }

    func expression(_ s: inout DTSScanner, depth: Int) throws -> UInt64 {
        let condition = try binary(&s, level: 0, depth: depth)
        guard try s.consume("?") else { return condition }
        try checkDepth(depth, s)
        let yes = try expression(&s, depth: depth + 1)
        try s.expect(":", "in '?:' expression")
        let no = try expression(&s, depth: depth + 1)
        return condition != 0 ? yes : no
    }

    private func checkDepth(_ depth: Int, _ s: DTSScanner) throws {
        guard depth < Self.maximumExpressionDepth else {
            throw s.error("expression nested deeper than \(Self.maximumExpressionDepth) levels")
        }
    }

    /// Binary operators by precedence level, loosest first.
    private static let levels: [[String]] = [
        ["||"], ["&&"], ["|"], ["^"], ["&"], ["==", "!="], ["<=", ">=", "<", ">"], ["<<", ">>"], ["+", "-"], ["*", "/", "%"],
    ]

    private func binary(_ s: inout DTSScanner, level: Int, depth: Int) throws -> UInt64 {
        if level == Self.levels.count { return try unary(&s, depth: depth) }
        var left = try binary(&s, level: level + 1, depth: depth)
        outer: while true {
            try s.skipTrivia()
            for op in Self.levels[level] {
                if matches(op, s) {
                    let line = s.line
                    for _ in op.utf8 { s.advance() }
                    let right = try binary(&s, level: level + 1, depth: depth)
                    left = try apply(op, left, right, s, line: line)
                    continue outer
                }
            }
            return left
        }
    }

    /// True when `op` comes next and is not the start of a longer operator (`|` versus `||`, `<` versus `<<`).
    private func matches(_ op: String, _ s: DTSScanner) -> Bool {
        let t = Array(op.utf8)
        for (i, c) in t.enumerated() where s.peek(i) != c { return false }
        let next = s.peek(t.count)
        switch op {
        case "|": return next != UInt8(ascii: "|")
        case "&": return next != UInt8(ascii: "&")
        case "<", ">": return next != t[0] && next != UInt8(ascii: "=")
        default: return true
        }
    }

    private func apply(_ op: String, _ a: UInt64, _ b: UInt64, _ s: DTSScanner, line: Int) throws -> UInt64 {
        switch op {
        case "||": return (a != 0 || b != 0) ? 1 : 0
        case "&&": return (a != 0 && b != 0) ? 1 : 0
        case "|": return a | b
        case "^": return a ^ b
        case "&": return a & b
        case "==": return a == b ? 1 : 0
        case "!=": return a != b ? 1 : 0
        case "<": return a < b ? 1 : 0
        case ">": return a > b ? 1 : 0
        case "<=": return a <= b ? 1 : 0
        case ">=": return a >= b ? 1 : 0
        case "<<": return b >= 64 ? 0 : a << b
        case ">>": return b >= 64 ? 0 : a >> b
        case "+": return a &+ b
        case "-": return a &- b
        case "*": return a &* b
        default:
            guard b != 0 else { throw s.error("division by zero in expression", line: line) }
            return op == "/" ? a / b : a % b
        }
    }

    private func unary(_ s: inout DTSScanner, depth: Int) throws -> UInt64 {
        try s.skipTrivia()
        switch s.peek() {
        case UInt8(ascii: "-"), UInt8(ascii: "~"), UInt8(ascii: "!"):
            try checkDepth(depth, s)
            let op = s.peek()
            s.advance()
            let operand = try unary(&s, depth: depth + 1)
            switch op {
            case UInt8(ascii: "-"): return 0 &- operand
            case UInt8(ascii: "~"): return ~operand
            default: return operand == 0 ? 1 : 0
            }
        default: return try primary(&s, bits: 64, depth: depth)
        }
    }
}
