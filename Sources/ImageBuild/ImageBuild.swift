// ImageBuild: module under construction in this session.
