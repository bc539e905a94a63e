/// A WASI preview1 error number, exactly as wasi-libc's `__WASI_ERRNO_*`
/// (wasi/api.h). Host functions return it to the module as their i32 result;
/// inside this module it is thrown with typed throws so each WASI call reads
/// as straight-line code.
public struct WASIErrno: Error, Equatable, Hashable {
    public var rawValue: UInt16
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    public static let success = WASIErrno(0)
    public static let tooBig = WASIErrno(1)          // E2BIG
    public static let access = WASIErrno(2)          // EACCES
    public static let again = WASIErrno(6)           // EAGAIN
    public static let badf = WASIErrno(8)            // EBADF
    public static let exist = WASIErrno(20)          // EEXIST
    public static let fault = WASIErrno(21)          // EFAULT
    public static let fbig = WASIErrno(22)           // EFBIG
    public static let ilseq = WASIErrno(25)          // EILSEQ
    public static let inval = WASIErrno(28)          // EINVAL
    public static let io = WASIErrno(29)             // EIO
    public static let isdir = WASIErrno(31)          // EISDIR
    public static let loop = WASIErrno(32)           // ELOOP
    public static let mfile = WASIErrno(33)          // EMFILE
    public static let nameTooLong = WASIErrno(37)    // ENAMETOOLONG
    public static let noent = WASIErrno(44)          // ENOENT
    public static let nomem = WASIErrno(48)          // ENOMEM
    public static let nosys = WASIErrno(52)          // ENOSYS
    public static let notdir = WASIErrno(54)         // ENOTDIR
    public static let notempty = WASIErrno(55)       // ENOTEMPTY
    public static let notsock = WASIErrno(57)        // ENOTSOCK
    public static let notsup = WASIErrno(58)         // ENOTSUP
    public static let notty = WASIErrno(59)          // ENOTTY
    public static let overflow = WASIErrno(61)       // EOVERFLOW
    public static let perm = WASIErrno(63)           // EPERM
    public static let pipe = WASIErrno(64)           // EPIPE
    public static let rofs = WASIErrno(69)           // EROFS
    public static let spipe = WASIErrno(70)          // ESPIPE
    public static let notcapable = WASIErrno(76)     // ENOTCAPABLE
}

/// Constants of the preview1 ABI (wasi/api.h), named as there.
enum WASIABI {
    // Clocks.
    static let clockRealtime: UInt32 = 0
    static let clockMonotonic: UInt32 = 1
    static let clockProcessCPUTime: UInt32 = 2
    static let clockThreadCPUTime: UInt32 = 3

    // File types.
    static let filetypeUnknown: UInt8 = 0
    static let filetypeCharacterDevice: UInt8 = 2
    static let filetypeDirectory: UInt8 = 3
    static let filetypeRegularFile: UInt8 = 4

    // fdflags.
    static let fdflagAppend: UInt16 = 1
    static let fdflagDsync: UInt16 = 2
    static let fdflagNonblock: UInt16 = 4
    static let fdflagRsync: UInt16 = 8
    static let fdflagSync: UInt16 = 16

    // oflags.
    static let oflagCreat: UInt16 = 1
    static let oflagDirectory: UInt16 = 2
    static let oflagExcl: UInt16 = 4
    static let oflagTrunc: UInt16 = 8

    // Whence.
    static let whenceSet: UInt8 = 0
    static let whenceCur: UInt8 = 1
    static let whenceEnd: UInt8 = 2

    // Rights.
    static let rightFdDatasync: UInt64 = 1 << 0
    static let rightFdRead: UInt64 = 1 << 1
    static let rightFdSeek: UInt64 = 1 << 2
    static let rightFdFdstatSetFlags: UInt64 = 1 << 3
    static let rightFdSync: UInt64 = 1 << 4
    static let rightFdTell: UInt64 = 1 << 5
    static let rightFdWrite: UInt64 = 1 << 6
    static let rightFdAdvise: UInt64 = 1 << 7
    static let rightFdAllocate: UInt64 = 1 << 8
    static let rightPathCreateDirectory: UInt64 = 1 << 9
    static let rightPathCreateFile: UInt64 = 1 << 10
    static let rightPathLinkSource: UInt64 = 1 << 11
    static let rightPathLinkTarget: UInt64 = 1 << 12
    static let rightPathOpen: UInt64 = 1 << 13
    static let rightFdReaddir: UInt64 = 1 << 14
    static let rightPathReadlink: UInt64 = 1 << 15
    static let rightPathRenameSource: UInt64 = 1 << 16
    static let rightPathRenameTarget: UInt64 = 1 << 17
    static let rightPathFilestatGet: UInt64 = 1 << 18
    static let rightPathFilestatSetSize: UInt64 = 1 << 19
    static let rightPathFilestatSetTimes: UInt64 = 1 << 20
    static let rightFdFilestatGet: UInt64 = 1 << 21
    static let rightFdFilestatSetSize: UInt64 = 1 << 22
    static let rightFdFilestatSetTimes: UInt64 = 1 << 23
    static let rightPathSymlink: UInt64 = 1 << 24
    static let rightPathRemoveDirectory: UInt64 = 1 << 25
    static let rightPathUnlinkFile: UInt64 = 1 << 26
    static let rightPollFdReadwrite: UInt64 = 1 << 27
    static let rightSockShutdown: UInt64 = 1 << 28
    static let rightSockAccept: UInt64 = 1 << 29
    static let rightsAll: UInt64 = (1 << 30) - 1

    /// Rights that only a writable descriptor has: asking for one of them in
    /// path_open means "open for writing", which a read-only tree refuses.
    static let writeRights: UInt64 = rightFdDatasync | rightFdWrite | rightFdAllocate | rightFdFilestatSetSize

    /// What a read-only regular file supports.
    static let fileRights: UInt64 = rightFdRead | rightFdSeek | rightFdFdstatSetFlags | rightFdSync | rightFdTell
        | rightFdAdvise | rightFdFilestatGet | rightPollFdReadwrite
    /// What a read-only directory supports (no seek, read or write: directory_seek in wasi-testsuite).
    static let directoryRights: UInt64 = rightsAll & ~(rightFdRead | rightFdSeek | rightFdTell | rightFdWrite
        | rightFdAdvise | rightFdAllocate | rightFdDatasync | rightFdFilestatSetSize | rightPollFdReadwrite
        | rightSockShutdown | rightSockAccept)
    /// Rights a directory passes on to what is opened below it. Like wasmtime,
    /// every right is inheritable, so wasi-libc's open(O_WRONLY) asks for
    /// FD_WRITE and gets EROFS instead of a descriptor that silently cannot write.
    static let inheritingRights: UInt64 = rightsAll
    /// stdio: read or write plus polling; no seek or tell (so isatty can be true).
    static let stdinRights: UInt64 = rightFdRead | rightFdFdstatSetFlags | rightFdFilestatGet | rightPollFdReadwrite
    static let stdoutRights: UInt64 = rightFdWrite | rightFdFdstatSetFlags | rightFdFilestatGet | rightPollFdReadwrite

    // Events (poll_oneoff).
    static let eventClock: UInt8 = 0
    static let eventFdRead: UInt8 = 1
    static let eventFdWrite: UInt8 = 2
    static let subscriptionClockAbstime: UInt16 = 1

    // Preopen type.
    static let preopenDirectory: UInt8 = 0
}
