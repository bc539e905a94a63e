import DiskImage
import Foundation
import Support

/// What `sel4img flash` is about to do, decided and checked before anything
/// is written: the image, its block map, the inspected target and the
/// options. ``confirmationQuestion`` is what a person is asked.
public struct FlashPlan: Sendable {
    /// Where the block map came from.
    public enum MapSource: Sendable, Equatable {
        /// `IMAGE.bmap.json` beside the image.
        case file(URL)
        /// No map beside the image: computed with ``BlockMap/scan(_:blockSize:maxRange:)``.
        case scanned
    }

    public var image: URL
    /// The image as the user named it, for messages.
    public var imagePath: String
    public var map: BlockMap
    public var mapSource: MapSource
    public var target: FlashTarget
    public var options: FlashOptions

    /// Reads (or computes) the block map, inspects the target and applies every
    /// ``SafetyCheck`` rule. Throws a ``FlashError`` when the write must not happen.
    public static func prepare(image imagePath: String, target targetPath: String, options: FlashOptions = .init(),
                               root: SystemRoot = .host) throws -> FlashPlan {
        let image = URL(fileURLWithPath: imagePath).standardizedFileURL
        var st = stat()
        guard stat(image.path, &st) == 0 else {
            throw FlashError.imageUnreadable(imagePath, String(cString: strerror(errno)))
        }
        guard st.st_mode & S_IFMT == S_IFREG else { throw FlashError.imageUnreadable(imagePath, "it is not a regular file") }
        let imageSize = UInt64(st.st_size)

        let target = try FlashTarget.inspect(targetPath, root: root)
        let mapURL = URL(fileURLWithPath: image.path + ".bmap.json")
        // Cheap checks first: a refusal should not wait for a scan of a large image.
        try SafetyCheck.check(target, imageSize: imageSize, inputs: [FlashInput(.image, image), FlashInput(.blockMap, mapURL)],
                              force: options.force)

        let map: BlockMap
        let source: MapSource
        if FileManager.default.fileExists(atPath: mapURL.path) {
            do { map = try BlockMap.read(from: mapURL) } catch {
                throw FlashError.imageCorrupt(imagePath, String(describing: error))
            }
            source = .file(mapURL)
            guard map.imageSize == imageSize else {
                throw FlashError.imageCorrupt(imagePath, "it is \(imageSize) bytes but \(mapURL.lastPathComponent) describes \(map.imageSize) bytes")
            }
        } else {
            do { map = try BlockMap.scan(image) } catch {
                throw FlashError.imageUnreadable(imagePath, readableDescription(of: error))
            }
            source = .scanned
        }
        return FlashPlan(image: image, imagePath: imagePath, map: map, mapSource: source, target: target, options: options)
    }

    /// A new file has nothing to lose; everything else is confirmed (or `--yes`).
    public var needsConfirmation: Bool { target.kind != .newFile }

    /// `Write IMAGE (N MiB, M MiB of data) to /dev/sdX (Model, 32.0 GB, removable)? [y/N]`
    public var confirmationQuestion: String {
        "Write \(imagePath) (\(ByteSize.mebibytes(map.imageSize)), \(ByteSize.mebibytes(map.mappedBytes)) of data) to \(target.path) (\(target.summary))? [y/N]"
    }

    /// What the confirmation shows above the question, one fact per line.
    public var summaryLines: [String] {
        var lines = ["Target:  \(target.path)" + (target.resolvedPath != target.path ? " → \(target.resolvedPath)" : "")]
        switch target.kind {
        case .blockDevice:
            lines.append("  model:     \(target.model ?? "unknown")")
            lines.append("  size:      \(ByteSize.decimal(target.size)) (\(ByteSize.binary(target.size)))")
            lines.append("  removable: \(target.isRemovable ? "yes" : "no")")
            if !target.partitions.isEmpty {
                lines.append("  partitions (all will be overwritten): \(target.partitions.joined(separator: ", "))")
            }
        case .regularFile:
            lines.append("  an existing regular file of \(ByteSize.binary(target.size))")
        case .newFile:
            lines.append("  a new file")
        }
        let mapText: String
        switch mapSource {
        case .file(let url): mapText = url.lastPathComponent
        case .scanned: mapText = "computed (no \(image.lastPathComponent).bmap.json beside the image)"
        }
        lines.append("Image:   \(imagePath), \(ByteSize.mebibytes(map.imageSize)); \(ByteSize.mebibytes(map.mappedBytes)) of data in \(map.ranges.count) ranges")
        lines.append("  block map: \(mapText)")
        lines.append(options.zeroUnmapped ? "  the rest of the image's extent is zeroed" : "  the rest of the target is left as it is (pass --zero-unmapped to zero it)")
        return lines
    }
}

/// Choices a person makes on the command line.
public struct FlashOptions: Sendable, Equatable {
    /// Allow a non-removable disk, and truncating a larger regular file to the image's size.
    public var force: Bool
    /// Zero the parts of the image's extent that the block map leaves out.
    public var zeroUnmapped: Bool

    public init(force: Bool = false, zeroUnmapped: Bool = false) {
        self.force = force
        self.zeroUnmapped = zeroUnmapped
    }
}

extension FlashPlan {
    /// Asks for confirmation unless `assumeYes` or the target is a new file.
    /// `ask` shows the question on a terminal and returns the answer; nil
    /// means there is no terminal, and then the write is refused rather than
    /// waiting for an answer that cannot come.
    public func confirm(assumeYes: Bool, ask: ((String) -> String?)?) throws {
        guard needsConfirmation, !assumeYes else { return }
        guard let ask else { throw FlashError.noConfirmation(target.path) }
        let answer = ask(confirmationQuestion)?.trimmingCharacters(in: .whitespaces).lowercased()
        guard answer == "y" || answer == "yes" else { throw FlashError.declined(target.path) }
    }
}
