// CPIO: module under construction in this session.
