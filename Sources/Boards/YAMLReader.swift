import Foundation
import Yams

/// Reads one YAML file into typed values while collecting problems.
///
/// Problems are collected rather than thrown at once so that the one reported
/// follows the documented validation order whatever the order of keys in the
/// file: YAML syntax, then `format`, then unknown keys, then types and missing
/// keys, then meaning. Syntax and format problems stop reading at once.
final class YAMLReader {
    let file: String
    private var problems: [BoardError] = []

    init(file: String) {
        self.file = file
    }

    func report(_ error: BoardError) {
        problems.append(error)
    }

    /// The problem to show: the earliest stage wins, then document order.
    var firstProblem: BoardError? {
        problems.enumerated().min { a, b in
            let (sa, sb) = (Self.stage(a.element.kind), Self.stage(b.element.kind))
            return sa != sb ? sa < sb : a.offset < b.offset
        }?.element
    }

    private static func stage(_ kind: BoardError.Kind) -> Int {
        switch kind {
        case .unreadable, .empty, .syntax, .badFileName, .missingDirectory: return 0
        case .formatVersion: return 1
        case .unknownKey: return 2
        case .missingKey, .wrongType: return 3
        case .invalidValue, .unknownName: return 4
        }
    }

    /// Parses the text and checks `format: 1`; returns the top-level mapping.
    /// `article` names the kind of file for messages ("a board", "an app").
    func root(text: String, article: String, allowed: [String]) throws -> MapView {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw Self.syntaxError(error, file: file)
        }
        guard let node, !Self.isNull(node) else {
            throw BoardError.empty(file, article: article)
        }
        let top = Place(file: file, line: node.mark?.line, path: KeyPath())
        guard case .mapping = node else {
            throw BoardError.wrongType(top, expected: "a mapping of keys at the top of the file", got: Self.describe(node))
        }
        let view = MapView(node: node, place: top, reader: self, allowed: nil)
        try checkFormat(view)
        return MapView(node: node, place: top, reader: self, allowed: allowed)
    }

    private func checkFormat(_ view: MapView) throws {
        guard let (node, place) = view.entry("format") else {
            throw BoardError.formatVersion(view.place.child("format", line: view.place.line),
                                           "missing; the file must start with 'format: 1'")
        }
        guard case .scalar(let scalar) = node, YAMLReader.tag(node) == .int, scalar.string.trimmingCharacters(in: .whitespaces) == "1" else {
            let shown = Self.describe(node)
            throw BoardError.formatVersion(place, "unsupported format \(shown); this sel4img reads format 1")
        }
    }

    /// Throws the first collected problem, if any.
    func finish() throws {
        if let problem = firstProblem { throw problem }
    }

    // MARK: Helpers

    static func syntaxError(_ error: YamlError, file: String) -> BoardError {
        switch error {
        case let .scanner(context, problem, mark, _),
             let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            var text = problem
            if let context { text = context.text + ": " + problem }
            return .syntax(file, line: mark.line, problem: text)
        case let .duplicatedKeysInMapping(duplicates, context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return .syntax(file, line: context.mark.line, problem: "duplicate key \(keys)")
        case let .reader(problem, _, _, _):
            return .syntax(file, line: nil, problem: problem)
        default:
            return .syntax(file, line: nil, problem: String(describing: error))
        }
    }

    /// The node's resolved YAML tag (`int`, `bool`, `null`, `str`, …).
    static func tag(_ node: Node) -> Tag.Name {
        Tag.Name(rawValue: node.tag.rawValue)
    }

    static func isNull(_ node: Node) -> Bool {
        if case .scalar = node, YAMLReader.tag(node) == .null { return true }
        return false
    }

    /// How a value looks in a message: `'text'`, "a mapping", "a list", "nothing".
    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar):
            return isNull(node) ? "nothing" : "'\(scalar.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}

/// A YAML mapping at a known place, with typed accessors that report
/// problems to the reader and return nil instead of throwing.
struct MapView {
    let reader: YAMLReader
    let place: Place
    /// Key, key line, value, in document order.
    let entries: [(key: String, line: Int?, value: Node)]

    /// Builds a view of `node`, reporting unknown keys when `allowed` is given.
    /// A node that is not a mapping gives an empty view (its type problem is
    /// reported by whoever asked for it).
    init(node: Node, place: Place, reader: YAMLReader, allowed: [String]?) {
        self.reader = reader
        self.place = place
        var entries: [(key: String, line: Int?, value: Node)] = []
        if case .mapping(let mapping) = node {
            for (key, value) in mapping {
                let name = key.scalar?.string ?? YAMLReader.describe(key)
                entries.append((name, key.mark?.line, value))
            }
        }
        self.entries = entries
        if let allowed {
            for entry in entries where !allowed.contains(entry.key) {
                reader.report(.unknownKey(place.child(entry.key, line: entry.line), allowed: allowed))
            }
        }
    }

    /// The value of `key` and its place, or nil when absent.
    func entry(_ key: String) -> (Node, Place)? {
        guard let found = entries.first(where: { $0.key == key }) else { return nil }
        return (found.value, place.child(key, line: found.line))
    }

    func has(_ key: String) -> Bool { entry(key) != nil }

    /// A required value converted by `type`; reports a missing key.
    func required<T>(_ key: String, _ type: ValueType<T>) -> T? {
        guard let (node, where_) = entry(key) else {
            reader.report(.missingKey(place, key))
            return nil
        }
        return type.convert(node, where_, reader)
    }

    /// An optional value: nil when absent (or explicitly empty).
    func optional<T>(_ key: String, _ type: ValueType<T>) -> T? {
        guard let (node, where_) = entry(key), !YAMLReader.isNull(node) else { return nil }
        return type.convert(node, where_, reader)
    }

    /// A nested mapping with its own allowed keys; nil when absent or not a mapping.
    func section(_ key: String, allowed: [String]?, required: Bool) -> MapView? {
        guard let (node, where_) = entry(key) else {
            if required { reader.report(.missingKey(place, key)) }
            return nil
        }
        guard case .mapping = node else {
            reader.report(.wrongType(where_, expected: "a mapping", got: YAMLReader.describe(node)))
            return nil
        }
        return MapView(node: node, place: where_, reader: reader, allowed: allowed)
    }

    /// The place of `key` for meaning checks after conversion (the mapping's own
    /// place when the key is absent).
    func placeOf(_ key: String) -> Place {
        entry(key)?.1 ?? place.child(key, line: place.line)
    }
}

/// How to turn a YAML node into a Swift value, reporting problems.
struct ValueType<T> {
    let convert: (Node, Place, YAMLReader) -> T?
}

extension ValueType where T == String {
    /// Any non-empty scalar, as written.
    static var string: ValueType<String> {
        ValueType { node, place, reader in
            guard case .scalar(let scalar) = node, !YAMLReader.isNull(node) else {
                reader.report(.wrongType(place, expected: "a string", got: YAMLReader.describe(node)))
                return nil
            }
            if scalar.string.trimmingCharacters(in: .whitespaces).isEmpty {
                reader.report(.invalid(place, "must not be empty"))
                return nil
            }
            return scalar.string
        }
    }

    /// One of a fixed set of words.
    static func oneOf(_ values: [String]) -> ValueType<String> {
        ValueType { node, place, reader in
            guard let text = ValueType<String>.string.convert(node, place, reader) else { return nil }
            guard values.contains(text) else {
                reader.report(.invalid(place, "expected one of \(values.joined(separator: ", ")), got '\(text)'"))
                return nil
            }
            return text
        }
    }
}

extension ValueType where T == Bool {
    static var bool: ValueType<Bool> {
        ValueType { node, place, reader in
            guard case .scalar = node, YAMLReader.tag(node) == .bool, let value = node.bool else {
                reader.report(.wrongType(place, expected: "true or false", got: YAMLReader.describe(node)))
                return nil
            }
            return value
        }
    }
}

extension ValueType where T == Int {
    /// A positive decimal integer.
    static var positiveInt: ValueType<Int> {
        ValueType { node, place, reader in
            guard case .scalar = node, YAMLReader.tag(node) == .int, let value = node.int else {
                reader.report(.wrongType(place, expected: "an integer", got: YAMLReader.describe(node)))
                return nil
            }
            guard value > 0 else {
                reader.report(.invalid(place, "must be greater than 0, got \(value)"))
                return nil
            }
            return value
        }
    }
}

extension ValueType where T == UInt64 {
    /// A hexadecimal address such as `0x40000000` (or `0`).
    static var address: ValueType<UInt64> {
        ValueType { node, place, reader in
            guard case .scalar(let scalar) = node, !YAMLReader.isNull(node) else {
                reader.report(.wrongType(place, expected: "a hexadecimal address like 0x40000000", got: YAMLReader.describe(node)))
                return nil
            }
            guard let value = Quantity.address(scalar.string) else {
                reader.report(.invalid(place, "expected a hexadecimal address like 0x40000000, got '\(scalar.string)'"))
                return nil
            }
            return value
        }
    }

    /// A size in bytes: `2G`, `1024M`, `512K`, `0x80000000` or plain bytes.
    static var size: ValueType<UInt64> {
        ValueType { node, place, reader in
            guard case .scalar(let scalar) = node, !YAMLReader.isNull(node) else {
                reader.report(.wrongType(place, expected: "a size like 2G or 0x80000000", got: YAMLReader.describe(node)))
                return nil
            }
            guard let value = Quantity.size(scalar.string) else {
                reader.report(.invalid(place, "expected a size like 2G or 0x80000000, got '\(scalar.string)'"))
                return nil
            }
            return value
        }
    }
}

extension ValueType {
    /// A list whose elements are each converted by `element`; the places of
    /// elements carry their index (`extraArgs[2]`).
    static func list<E>(_ element: ValueType<E>) -> ValueType<[E]> where T == [E] {
        ValueType<[E]> { node, place, reader in
            guard case .sequence(let sequence) = node else {
                reader.report(.wrongType(place, expected: "a list", got: YAMLReader.describe(node)))
                return nil
            }
            var values: [E] = []
            var ok = true
            for (index, item) in sequence.enumerated() {
                if let value = element.convert(item, place.element(index, line: item.mark?.line), reader) {
                    values.append(value)
                } else {
                    ok = false
                }
            }
            return ok ? values : nil
        }
    }

    /// A mapping from free-form string keys to values converted by `element`.
    static func map<E>(_ element: ValueType<E>) -> ValueType<[String: E]> where T == [String: E] {
        ValueType<[String: E]> { node, place, reader in
            guard case .mapping = node else {
                reader.report(.wrongType(place, expected: "a mapping", got: YAMLReader.describe(node)))
                return nil
            }
            let view = MapView(node: node, place: place, reader: reader, allowed: nil)
            var values: [String: E] = [:]
            var ok = true
            for entry in view.entries {
                if let value = element.convert(entry.value, place.child(entry.key, line: entry.line), reader) {
                    values[entry.key] = value
                } else {
                    ok = false
                }
            }
            return ok ? values : nil
        }
    }
}

extension ValueType where T == String {
    /// A scalar setting value for CMake: written as in the file, so `TRUE`,
    /// `ON`, `1` and `0x10000000` all pass through unchanged.
    static var setting: ValueType<String> {
        ValueType { node, place, reader in
            guard case .scalar(let scalar) = node, !YAMLReader.isNull(node) else {
                reader.report(.wrongType(place, expected: "a single value (text, number or TRUE/FALSE)", got: YAMLReader.describe(node)))
                return nil
            }
            return scalar.string
        }
    }
}
