import Testing
@testable import DTS
