package main

import "flag"

func (c *Config) davFlags(fs *flag.FlagSet) {}
