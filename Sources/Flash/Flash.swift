// Flash: module under construction in this session.
