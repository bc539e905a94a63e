// The GNU extensions ProcessRunner needs from glibc's posix_spawn, which
// Swift's Glibc module does not import (it is built without _GNU_SOURCE).
#ifndef SEL4IMG_CSPAWN_H
#define SEL4IMG_CSPAWN_H

#include <spawn.h>

/// posix_spawn_file_actions_addchdir_np: the child changes directory before exec.
int sel4img_spawn_file_actions_addchdir(posix_spawn_file_actions_t *actions, const char *path);
/// posix_spawn_file_actions_addclosefrom_np (glibc 2.34): the child closes every
/// descriptor from `lowest` up. A no-op on Darwin, where the caller sets
/// POSIX_SPAWN_CLOEXEC_DEFAULT instead.
int sel4img_spawn_file_actions_addclosefrom(posix_spawn_file_actions_t *actions, int lowest);
/// pipe2(O_CLOEXEC): both ends close-on-exec from the start, so no child started
/// by another thread meanwhile inherits them.
int sel4img_pipe_cloexec(int fds[2]);

#endif
