// Workspace: module under construction in this session.
