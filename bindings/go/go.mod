module github.com/dockerclient/dockerclient/bindings/go

go 1.19
