// Git: module under construction in this session.
