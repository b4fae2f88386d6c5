// Copyright 2021 FerretDB Inc.
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
//     http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

// Modified by omni-gateway (deploy/local/ferretdb.sh builds FerretDB v1.24.2 with this file in place
// of internal/util/resource/resource.go through `go build -overlay`; ADR 0011, sixth step): Track and
// Untrack no longer record every query iterator and connection in a pprof profile with a finalizer.
// That leak check is a debugging aid of FerretDB's; it cost about 15% of the embedded store's CPU
// (runtime.Callers, pprof.Profile.Add/Remove, SetFinalizer on every command). The API is unchanged.

// Package resource provides utilities for tracking resource lifetimes.
package resource

// Token should be a field of a tracked object.
//
// The underlying type is not struct{} because (from the Go spec)
// "Two distinct zero-size variables may have the same address in memory",
// and they do.
type Token byte

// NewToken returns a new Token.
func NewToken() *Token {
	return new(Token)
}

// Track would track the lifetime of an object until Untrack is called on it; in this build it does nothing.
func Track(obj any, token *Token) {
	if obj == nil || token == nil {
		panic("obj and token must not be nil")
	}
}

// Untrack would stop tracking the lifetime of an object; in this build it does nothing.
//
// It is safe to call this function multiple times.
func Untrack(obj any, token *Token) {
	if obj == nil || token == nil {
		panic("obj and token must not be nil")
	}
}
