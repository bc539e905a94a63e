// Patches: module under construction in this session.
