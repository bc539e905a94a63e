// Doctor: module under construction in this session.
