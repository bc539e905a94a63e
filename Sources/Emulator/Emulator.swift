// Emulator: module under construction in this session.
