import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A parsed XML element: just what a manifest needs (no text, no namespaces).
struct XMLNode {
    var name: String
    var attributes: [String: String]
    /// 1-based line of the start tag's `<`.
    var line: Int
    var children: [XMLNode]

    /// The attribute's value, or nil when it is absent or empty (repo treats
    /// an empty attribute like a missing one).
    func attribute(_ key: String) -> String? {
        guard let value = attributes[key], !value.isEmpty else { return nil }
        return value
    }
}

/// Parses manifest bytes into a small element tree with line numbers.
enum XMLTree {
    /// Elements deeper than this (manifest → project → linkfile) are not kept.
    static let keptDepth = 3

    /// Parses `data`; errors carry `file` and the line the parser stopped at.
    static func parse(_ data: Data, file: String) throws -> XMLNode {
        // Manifests are UTF-8. Foundation's XMLParser traps (crashes the
        // process) on an element name that is not valid UTF-8, so bad bytes
        // are refused here, before it sees them.
        if let offset = firstInvalidUTF8(data) {
            let line = data.prefix(offset).reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
            throw ManifestError(.malformedXML, file: file, line: line,
                                "malformed XML: byte \(offset) (0x\(String(format: "%02X", data[data.startIndex + offset]))) is not valid UTF-8; manifests must be UTF-8")
        }
        let text = String(decoding: data, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if let entity = text.range(of: "<!ENTITY") {
            let line = text[..<entity.lowerBound].reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
            throw ManifestError(.malformedXML, file: file, line: line, "malformed XML: entity declarations are not allowed")
        }
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = false
        parser.shouldReportNamespacePrefixes = false
        parser.shouldResolveExternalEntities = false
        let builder = TreeBuilder(lines: lines)
        parser.delegate = builder
        let ok = parser.parse()
        if let failure = builder.firstError {
            throw ManifestError(.malformedXML, file: file, line: max(failure.line, 1), "malformed XML: " + describe(failure.code))
        }
        if !ok, let error = parser.parserError {
            throw ManifestError(.malformedXML, file: file, line: max(parser.lineNumber, 1), "malformed XML: " + describe((error as NSError).code))
        }
        guard let root = builder.root else {
            throw ManifestError(.malformedXML, file: file, line: max(parser.lineNumber, 1), "malformed XML: the document has no root element")
        }
        return root
    }

    /// The offset of the first byte that does not belong to a valid UTF-8 sequence, or nil.
    static func firstInvalidUTF8(_ data: Data) -> Int? {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = data.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded): offset += encoded.count
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }

    /// Words for the XML errors people make by hand. The codes are libxml2's
    /// `xmlParserErrors` numbers, which is what XMLParser reports on every
    /// platform (swift-corelibs-foundation's `XMLParser.ErrorCode` raw values
    /// do not match them, so the enum is not used).
    static func describe(_ code: Int) -> String {
        switch code {
        case 4: "the document is empty"
        case 5: "the document ends too early"
        case 9: "a character that XML does not allow"
        case 14, 22, 23: "a bare '&' (write &amp;)"
        case 26, 27: "an unknown entity reference"
        case 31, 32, 79, 81: "the text encoding is not supported"
        case 33, 34: "a quoted string is not closed"
        case 38: "'<' inside an attribute value"
        case 39, 40, 41: "an attribute value is not quoted properly"
        case 42: "an attribute is given twice on one element"
        case 45: "a comment is not closed with '-->'"
        case 65: "a space is missing between attributes"
        case 68: "a tag or attribute name is missing"
        case 72: "expected '<'"
        case 73: "a tag is not closed with '>'"
        case 75: "an attribute has no '='"
        case 76: "a closing tag does not match the element it closes"
        case 77: "a tag is not finished"
        case 85: "elements are not properly nested"
        case 86: "there is content after the root element"
        default: "XML parser error \(code)"
        }
    }
}

/// The XMLParser delegate that builds `XMLNode`s. Used by one parse only.
private final class TreeBuilder: NSObject, XMLParserDelegate {
    let lines: [Substring]
    var stack: [XMLNode] = []
    var depth = 0
    var root: XMLNode?
    var firstError: (code: Int, line: Int)?
    /// The last line turned into scalars; elements arrive in order, so a
    /// long line with many elements is converted once.
    var cachedLine: (index: Int, scalars: [Unicode.Scalar])?

    init(lines: [Substring]) {
        self.lines = lines
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
        qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
    ) {
        depth += 1
        guard depth <= XMLTree.keptDepth else { return }
        let line = startLine(endLine: parser.lineNumber, column: parser.columnNumber)
        stack.append(XMLNode(name: elementName, attributes: attributeDict, line: line, children: []))
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        defer { depth -= 1 }
        guard depth <= XMLTree.keptDepth, let node = stack.popLast() else { return }
        if stack.isEmpty {
            if root == nil { root = node }
        } else {
            stack[stack.count - 1].children.append(node)
        }
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
        if firstError == nil {
            firstError = ((parseError as NSError).code, parser.lineNumber)
        }
    }

    /// libxml2 reports the position where a start tag ends; a tag may span
    /// lines, so walk back from there to its `<` (which cannot occur inside
    /// an attribute value) and count the lines crossed.
    func startLine(endLine: Int, column: Int) -> Int {
        guard endLine >= 1, endLine <= lines.count else { return max(endLine, 1) }
        var lineIndex = endLine - 1
        var scalars = scalarsOfLine(lineIndex)
        var position = min(max(column, 1), scalars.count) - 1
        while lineIndex >= 0 {
            while position >= 0 {
                if scalars[position] == "<" { return lineIndex + 1 }
                position -= 1
            }
            lineIndex -= 1
            guard lineIndex >= 0 else { break }
            scalars = scalarsOfLine(lineIndex)
            position = scalars.count - 1
        }
        return endLine
    }

    func scalarsOfLine(_ index: Int) -> [Unicode.Scalar] {
        if let cachedLine, cachedLine.index == index { return cachedLine.scalars }
        let scalars = Array(lines[index].unicodeScalars)
        cachedLine = (index, scalars)
        return scalars
    }
}
