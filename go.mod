module github.com/azdosync/azdosync

go 1.25.0

require golang.org/x/sync v0.19.0

require github.com/google/go-cmp v0.7.0 // indirect
