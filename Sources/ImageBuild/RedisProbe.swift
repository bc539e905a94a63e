import Foundation
import Support
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Asks a Redis server for PONG once before a build. ccache itself keeps
/// going when Redis fails (it counts an error and compiles), but it would try
/// again for every compilation; sel4img asks once and, when there is no
/// answer, builds with the local cache only and says so.
enum RedisProbe {
    /// Nil when the server answered `+PONG`, else what went wrong.
    static func ping(host: String, port: Int, timeoutMilliseconds: Int32 = 1000) -> String? {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            return "cannot resolve \(host): \(String(cString: gai_strerror(status)))"
        }
        defer { freeaddrinfo(list) }
        var problem = "no address for \(host)"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            entry = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            guard fd >= 0 else { problem = String(cString: strerror(errno)); continue }
            defer { close(fd) }
            var timeout = timeval(tv_sec: Int(timeoutMilliseconds / 1000), tv_usec: Int(timeoutMilliseconds % 1000) * 1000)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            guard connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
                problem = "cannot connect to \(host):\(port): \(String(cString: strerror(errno)))"
                continue
            }
            let request = Array("PING\r\n".utf8)
            guard send(fd, request, request.count, 0) == request.count else {
                problem = "cannot send to \(host):\(port): \(String(cString: strerror(errno)))"
                continue
            }
            var buffer = [UInt8](repeating: 0, count: 64)
            let count = recv(fd, &buffer, buffer.count, 0)
            guard count > 0 else {
                problem = count == 0 ? "\(host):\(port) closed the connection" : "no answer from \(host):\(port): \(String(cString: strerror(errno)))"
                continue
            }
            let answer = String(decoding: buffer[..<count], as: UTF8.self)
            if answer.hasPrefix("+PONG") { return nil }
            return "\(host):\(port) answered \(answer.trimmingCharacters(in: .whitespacesAndNewlines).escapingControlCharacters) instead of PONG"
        }
        return problem
    }
}
