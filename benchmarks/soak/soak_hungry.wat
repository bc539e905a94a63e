;; Soak module: a linear memory of 1,024 pages (64 MiB), more than the runner's
;; 32 MiB heap arena holds: it cannot be instantiated there (it can on a host).
(module
  (memory 1024)
  (func (export "_start")))
