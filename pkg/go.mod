module github.com/trafficinator/trafficinator/pkg

go 1.26
