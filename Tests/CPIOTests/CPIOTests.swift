import Testing
@testable import CPIO
