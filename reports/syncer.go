package reports

import (
	"path/filepath"
	"sort"
	"sync"
)

// syncWorkers is how many files of a run directory are made durable at
// once. A file's fsync waits for the disk; done one at a time, while the
// next file waits to be written, the 7,191 participant files of a
// million-sale night spent 10 s in fsync (1.2 ms each on the development
// machine). Four at a time, beside the writing, took 2.9 s in all.
const syncWorkers = 4

// syncer makes the files of a run directory durable and puts them in
// place behind the writing: each file is fsynced under its temporary name,
// then renamed to its real name (so a file under its real name is whole,
// even after a crash of the machine). The directories the files were
// renamed in are fsynced once, by wait, before the manifest is written:
// the manifest is what marks a run directory complete, and it is written
// only when every file it lists is durable under its real name.
type syncer struct {
	jobs chan *atomicFile
	wg   sync.WaitGroup

	mu   sync.Mutex
	err  error           // the first failure; later files are dropped
	dirs map[string]bool // directories files were renamed in
}

func newSyncer() *syncer {
	s := &syncer{jobs: make(chan *atomicFile, 4*syncWorkers), dirs: map[string]bool{}}
	for range syncWorkers {
		s.wg.Add(1)
		go s.work()
	}
	return s
}

func (s *syncer) work() {
	defer s.wg.Done()
	for f := range s.jobs {
		if s.failed() != nil {
			f.Abort()
			continue
		}
		err := f.persist()
		s.mu.Lock()
		if err != nil && s.err == nil {
			s.err = err
		}
		if err == nil {
			s.dirs[filepath.Dir(f.path)] = true
		}
		s.mu.Unlock()
	}
}

func (s *syncer) failed() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// add hands a flushed file over; it reports an earlier file's failure, so
// that a publication stops at the first one.
func (s *syncer) add(f *atomicFile) error {
	if err := s.failed(); err != nil {
		f.Abort()
		return err
	}
	s.jobs <- f
	return nil
}

// wait returns once every file handed over is in place, with the
// directories they were renamed in fsynced, or with the first failure.
// The syncer takes no file after it.
func (s *syncer) wait() error {
	close(s.jobs)
	s.wg.Wait()
	if s.err != nil {
		return s.err
	}
	dirs := make([]string, 0, len(s.dirs))
	for d := range s.dirs {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		if err := syncDir(d); err != nil {
			return err
		}
	}
	return nil
}
