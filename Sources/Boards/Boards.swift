// Boards: module under construction in this session.
