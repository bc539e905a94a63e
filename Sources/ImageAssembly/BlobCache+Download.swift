import Boards
import Foundation
import Support
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension BlobCache {
    /// Fetches `url` (`http://`, `https://` or `file://`) into `destination`,
    /// at most `sizeLimit` bytes, reporting progress for network transfers.
    func download(_ url: String, to destination: URL, name: String, blob: Blob, progress: any ProgressReporter) throws {
        func failed(_ detail: String, hint extra: String? = nil) -> BlobError {
            BlobError(kind: .download, name: name, message: "boot file '\(name)': cannot download \(url): \(detail)",
                      hint: [extra, preseedHint(blob)].compactMap { $0 }.joined(separator: "; "))
        }
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased() else {
            throw failed("not a URL")
        }
        switch scheme {
        case "file":
            let path = parsed.path
            guard FileManager.default.fileExists(atPath: path) else { throw failed("\(path) does not exist") }
            try copy(URL(fileURLWithPath: path), to: destination, name: name, shown: url)
        case "http", "https":
            let file = parsed.lastPathComponent.isEmpty ? url : parsed.lastPathComponent
            let started = Date()
            let transfer = HTTPTransfer(url: parsed, destination: destination, limit: sizeLimit) { received, expected in
                let seconds = max(Date().timeIntervalSince(started), 0.001)
                let total = expected.map { " of \(Self.mib($0))" } ?? ""
                progress.update(name, "downloading \(file): \(Self.mib(received))\(total) at \(Self.mib(Int64(Double(received) / seconds)))/s")
            }
            let received: Int64
            do {
                received = try transfer.run()
            } catch let failure as HTTPTransfer.Failure {
                switch failure {
                case .status(let code):
                    let reason = HTTPURLResponse.localizedString(forStatusCode: code)
                    let moved = code == 404 || code == 410
                        ? "Debian's pool drops a package when a newer version replaces it; a snapshot.debian.org URL keeps working (see boards/README.md)"
                        : nil
                    progress.update(name, "failed: HTTP \(code)")
                    throw failed("the server answered \(code) (\(reason))", hint: moved)
                case .tooLarge(let size):
                    progress.update(name, "failed: too large")
                    throw BlobError(kind: .tooLarge, name: name,
                                    message: "boot file '\(name)': \(url) is larger than the limit of \(sizeLimit >> 20) MiB (\(size) bytes or more)")
                case .network(let detail):
                    progress.update(name, "failed: \(detail)")
                    throw failed(detail)
                case .io(let detail):
                    throw BlobError(kind: .io, name: name, message: "boot file '\(name)': cannot write \(destination.path): \(detail)")
                }
            }
            let seconds = max(Date().timeIntervalSince(started), 0.001)
            progress.update(name, String(format: "done: downloaded %@, %@ in %.1f s (%@/s)", file, Self.mib(received), seconds,
                                         Self.mib(Int64(Double(received) / seconds))))
        default:
            throw failed("sel4img fetches only http://, https:// and file:// URLs")
        }
    }

    /// A byte count for progress lines: `1.5 MiB`, `812 KiB`, `90 B`.
    static func mib(_ bytes: Int64) -> String {
        if bytes >= 1 << 20 { return String(format: "%.1f MiB", Double(bytes) / 1_048_576) }
        if bytes >= 1 << 10 { return "\(bytes >> 10) KiB" }
        return "\(bytes) B"
    }
}

/// One HTTP(S) GET streamed to a file with Foundation's URLSession, waited
/// for synchronously. Refuses answers other than 2xx and bodies over `limit`.
final class HTTPTransfer: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    enum Failure: Error {
        /// The server answered with this status.
        case status(Int)
        /// The body is (at least) this many bytes, over the limit.
        case tooLarge(Int64)
        /// The transfer failed; a readable reason.
        case network(String)
        /// Writing the file failed.
        case io(String)
    }

    let url: URL
    let destination: URL
    let limit: Int64
    let report: @Sendable (Int64, Int64?) -> Void

    private let lock = NSLock()
    private let done = DispatchSemaphore(value: 0)
    private var handle: FileHandle?
    private var received: Int64 = 0
    private var expected: Int64?
    private var failure: Failure?
    private var lastReport = Date.distantPast

    init(url: URL, destination: URL, limit: Int64, report: @escaping @Sendable (Int64, Int64?) -> Void) {
        self.url = url
        self.destination = destination
        self.limit = limit
        self.report = report
    }

    /// Runs the transfer; returns the number of bytes written.
    func run() throws -> Int64 {
        guard FileManager.default.createFile(atPath: destination.path, contents: nil),
              let handle = try? FileHandle(forWritingTo: destination) else {
            throw Failure.io("cannot create the file")
        }
        self.handle = handle
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 60
        configuration.timeoutIntervalForResource = 3600
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: configuration, delegate: self, delegateQueue: queue)
        session.dataTask(with: url).resume()
        done.wait()
        session.finishTasksAndInvalidate()
        lock.lock()
        defer { lock.unlock() }
        try? handle.close()
        if let failure { throw failure }
        return received
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        lock.lock()
        if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
            failure = .status(http.statusCode)
        } else if response.expectedContentLength > limit {
            failure = .tooLarge(response.expectedContentLength)
        } else if response.expectedContentLength >= 0 {
            expected = response.expectedContentLength
        }
        let refuse = failure != nil
        lock.unlock()
        completionHandler(refuse ? .cancel : .allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        lock.lock()
        guard failure == nil, let handle else { lock.unlock(); return }
        received += Int64(data.count)
        if received > limit {
            failure = .tooLarge(received)
        } else {
            do { try handle.write(contentsOf: data) } catch { failure = .io(error.localizedDescription) }
        }
        let now = Date()
        let (count, total, due) = (received, expected, now.timeIntervalSince(lastReport) >= 0.5)
        if due { lastReport = now }
        let cancel = failure != nil
        lock.unlock()
        if cancel { dataTask.cancel(); return }
        if due { report(count, total) }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        lock.lock()
        if failure == nil {
            if let error {
                failure = .network(Self.describe(error, url: url))
            } else if let expected, received != expected {
                failure = .network("the transfer ended after \(received) of \(expected) bytes")
            }
        }
        lock.unlock()
        done.signal()
    }

    /// A readable reason for a URLSession error (Foundation's own text on
    /// Linux is often just the domain and code).
    static func describe(_ error: any Error, url: URL) -> String {
        guard let error = error as? URLError else { return String(describing: error) }
        let host = url.host ?? url.absoluteString
        switch error.code {
        case .cannotFindHost, .dnsLookupFailed: return "cannot resolve the host name \(host)"
        case .cannotConnectToHost: return "cannot connect to \(host)\(url.port.map { " port \($0)" } ?? "")"
        case .notConnectedToInternet: return "this machine is not connected to a network"
        case .timedOut: return "the connection to \(host) timed out"
        case .networkConnectionLost: return "the connection to \(host) was lost"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot:
            return "the TLS connection to \(host) failed (\(error.localizedDescription))"
        case .httpTooManyRedirects, .redirectToNonExistentLocation: return "the server's redirects lead nowhere"
        default: return "\(error.localizedDescription) (URLError \(error.code.rawValue))"
        }
    }
}
