// DTS: module under construction in this session.
