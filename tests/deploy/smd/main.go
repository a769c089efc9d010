// smd-helper: the server-side-apply engine of pyhalyard's API server DOUBLE.
//
// The double (tests/deploy/apiserver_double.py) sends one JSON request per line on stdin and
// reads one JSON answer per line on stdout. The merge, field-set, conflict and pruning logic is
// the real sigs.k8s.io/structured-merge-diff/v4 library (Debian's
// golang-k8s-sigs-structured-merge-diff-dev, the engine kube-apiserver links), driven with the
// schema in schema.yaml. Around it this file re-implements, in our own words, the thin
// kube-apiserver layer that turns metadata.managedFields into SMD managers and back
// (k8s.io/apimachinery/pkg/util/managedfields/internal: fieldmanager.go, managedfields.go
// BuildManagerIdentifier/encodeManagedFields/sortEncodedManagedFields, managedfieldsupdater.go,
// stripmeta.go, skipnonapplied.go, structuredmerge.go, conflict.go NewConflictError).
//
// Request:  {"op": "apply"|"update"|"check", "type": "<schema type>", "apiVersion": "apps/v1",
//
//	"live": {...}|null, "object": {...}, "managedFields": [...], "manager": "m",
//	"force": bool, "time": "2006-01-02T15:04:05Z", "create": bool}
//
// Answer:   {"object": {...}|null (null: apply changed nothing), "managedFields": [...]}
//
//	or {"error": {"kind": "conflict"|"typed"|"internal", "message": "...",
//	"causes": [{"manager": "...", "field": ".spec.type", "message": "..."}]}}
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"sigs.k8s.io/structured-merge-diff/v4/fieldpath"
	"sigs.k8s.io/structured-merge-diff/v4/merge"
	"sigs.k8s.io/structured-merge-diff/v4/typed"
)

// entry mirrors metav1.ManagedFieldsEntry (same JSON names and order).
type entry struct {
	Manager     string          `json:"manager,omitempty"`
	Operation   string          `json:"operation,omitempty"`
	APIVersion  string          `json:"apiVersion,omitempty"`
	Time        string          `json:"time,omitempty"`
	FieldsType  string          `json:"fieldsType,omitempty"`
	FieldsV1    json.RawMessage `json:"fieldsV1,omitempty"`
	Subresource string          `json:"subresource,omitempty"`
}

type request struct {
	Op            string      `json:"op"`
	Type          string      `json:"type"`
	APIVersion    string      `json:"apiVersion"`
	Live          interface{} `json:"live"`
	Object        interface{} `json:"object"`
	ManagedFields []entry     `json:"managedFields"`
	Manager       string      `json:"manager"`
	Force         bool        `json:"force"`
	Time          string      `json:"time"`
	Create        bool        `json:"create"`
}

type cause struct {
	Manager string `json:"manager"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

type failure struct {
	Kind    string  `json:"kind"`
	Message string  `json:"message"`
	Causes  []cause `json:"causes,omitempty"`
}

type answer struct {
	Object        interface{} `json:"object"`
	ManagedFields []entry     `json:"managedFields"`
	Error         *failure    `json:"error,omitempty"`
}

// identity: every kind the double serves has one version, so conversion is a no-op.
type identity struct{}

func (identity) Convert(v *typed.TypedValue, _ fieldpath.APIVersion) (*typed.TypedValue, error) {
	return v, nil
}
func (identity) IsMissingVersionError(error) bool { return false }

// stripped: fields no manager ever owns (stripmeta.go NewStripMetaManager).
var stripped = fieldpath.NewSet(
	fieldpath.MakePathOrDie("apiVersion"),
	fieldpath.MakePathOrDie("kind"),
	fieldpath.MakePathOrDie("metadata"),
	fieldpath.MakePathOrDie("metadata", "name"),
	fieldpath.MakePathOrDie("metadata", "namespace"),
	fieldpath.MakePathOrDie("metadata", "creationTimestamp"),
	fieldpath.MakePathOrDie("metadata", "selfLink"),
	fieldpath.MakePathOrDie("metadata", "uid"),
	fieldpath.MakePathOrDie("metadata", "clusterName"),
	fieldpath.MakePathOrDie("metadata", "generation"),
	fieldpath.MakePathOrDie("metadata", "managedFields"),
	fieldpath.MakePathOrDie("metadata", "resourceVersion"),
)

// ignored: status is reset on the main resource (the ResetFieldsStrategy of every kind served).
var ignored = fieldpath.NewSet(fieldpath.MakePathOrDie("status"))

type managed struct {
	fields fieldpath.ManagedFields
	times  map[string]string
}

// identifier is BuildManagerIdentifier: the entry without fields, type and time; appliers
// without apiVersion so one applier keeps one entry across versions.
func identifier(e entry) string {
	key := entry{Manager: e.Manager, Operation: e.Operation, APIVersion: e.APIVersion,
		Subresource: e.Subresource}
	if e.Operation == "Apply" {
		key.APIVersion = ""
	}
	b, _ := json.Marshal(key)
	return string(b)
}

func decode(entries []entry) (managed, error) {
	m := managed{fieldpath.ManagedFields{}, map[string]string{}}
	for i, e := range entries {
		if e.Operation != "Apply" && e.Operation != "Update" {
			return m, fmt.Errorf("operation must be `Apply` or `Update`")
		}
		if e.APIVersion == "" {
			return m, fmt.Errorf("apiVersion must not be empty")
		}
		if e.FieldsType != "FieldsV1" {
			return m, fmt.Errorf("invalid fieldsType %q in managed fields entry %d", e.FieldsType, i)
		}
		set := &fieldpath.Set{}
		if len(e.FieldsV1) > 0 {
			if err := set.FromJSON(bytes.NewReader(e.FieldsV1)); err != nil {
				return m, fmt.Errorf("error decoding fieldsV1 of entry %d: %v", i, err)
			}
		}
		id := identifier(e)
		m.fields[id] = fieldpath.NewVersionedSet(set, fieldpath.APIVersion(e.APIVersion), e.Operation == "Apply")
		m.times[id] = e.Time
	}
	return m, nil
}

// encode is encodeManagedFields + sortEncodedManagedFields (Apply before Update, then time,
// manager, apiVersion).
func encode(m managed) ([]entry, error) {
	out := []entry{}
	for id, vs := range m.fields {
		if vs.Set().Empty() {
			continue
		}
		var e entry
		if err := json.Unmarshal([]byte(id), &e); err != nil {
			return nil, err
		}
		e.APIVersion = string(vs.APIVersion())
		e.FieldsType = "FieldsV1"
		raw, err := vs.Set().ToJSON()
		if err != nil {
			return nil, err
		}
		e.FieldsV1 = raw
		e.Time = m.times[id]
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		p, q := out[i], out[j]
		if p.Operation != q.Operation {
			return p.Operation < q.Operation
		}
		if p.Time != q.Time {
			return p.Time < q.Time
		}
		if p.Manager != q.Manager {
			return p.Manager < q.Manager
		}
		if p.APIVersion != q.APIVersion {
			return p.APIVersion < q.APIVersion
		}
		return p.Subresource < q.Subresource
	})
	return out, nil
}

// printManager is conflict.go printManager.
func printManager(id string) string {
	var e entry
	if err := json.Unmarshal([]byte(id), &e); err != nil {
		return fmt.Sprintf("%q", id)
	}
	s := fmt.Sprintf("%q", e.Manager)
	if e.Subresource != "" {
		s = fmt.Sprintf("%s with subresource %q", s, e.Subresource)
	}
	if e.Operation == "Update" {
		return fmt.Sprintf("%s using %v", s, e.APIVersion)
	}
	return s
}

// conflictFailure is NewConflictError + getConflictMessage.
func conflictFailure(conflicts merge.Conflicts) *failure {
	sort.SliceStable(conflicts, func(i, j int) bool {
		if conflicts[i].Manager != conflicts[j].Manager {
			return conflicts[i].Manager < conflicts[j].Manager
		}
		return conflicts[i].Path.String() < conflicts[j].Path.String()
	})
	f := &failure{Kind: "conflict"}
	for _, c := range conflicts {
		f.Causes = append(f.Causes, cause{Manager: printManager(c.Manager), Field: c.Path.String(),
			Message: "conflict with " + printManager(c.Manager)})
	}
	if len(conflicts) == 1 {
		f.Message = fmt.Sprintf("Apply failed with 1 conflict: conflict with %v: %v",
			printManager(conflicts[0].Manager), conflicts[0].Path)
		return f
	}
	lines := []string{}
	last := ""
	for _, c := range conflicts {
		if c.Manager != last {
			lines = append(lines, fmt.Sprintf("conflicts with %v:", printManager(c.Manager)))
			last = c.Manager
		}
		lines = append(lines, fmt.Sprintf("- %v", c.Path))
	}
	f.Message = fmt.Sprintf("Apply failed with %d conflicts: %s", len(conflicts), strings.Join(lines, "\n"))
	return f
}

type engine struct {
	parser  *typed.Parser
	updater *merge.Updater
}

func (g *engine) typedValue(typeName string, obj interface{}) (*typed.TypedValue, error) {
	if obj == nil {
		obj = map[string]interface{}{}
	}
	return g.parser.Type(typeName).FromUnstructured(obj)
}

func (g *engine) strip(m managed, id string) {
	if vs, ok := m.fields[id]; ok {
		m.fields[id] = fieldpath.NewVersionedSet(vs.Set().Difference(stripped), vs.APIVersion(), vs.Applied())
	}
}

// update is managedFieldsUpdater.Update over stripMeta over structuredMerge.Update: the
// fields this write changed go to "current-operation" first and are then merged into the
// manager's own Update entry, whose time moves only when it gained something.
func (g *engine) update(req request, live, obj *typed.TypedValue, m managed) (managed, error) {
	version := fieldpath.APIVersion(req.APIVersion)
	self := "current-operation"
	_, fields, err := g.updater.Update(live, obj, version, m.fields, self)
	if err != nil {
		return m, err
	}
	m.fields = fields
	g.strip(m, self)
	id := identifier(entry{Manager: req.Manager, Operation: "Update", APIVersion: req.APIVersion})
	if vs, ok := m.fields[self]; ok {
		delete(m.fields, self)
		if previous, ok := m.fields[id]; ok {
			m.fields[id] = fieldpath.NewVersionedSet(vs.Set().Union(previous.Set()), vs.APIVersion(), vs.Applied())
		} else {
			m.fields[id] = vs
		}
		m.times[id] = req.Time
	}
	return m, nil
}

func (g *engine) handle(req request) answer {
	fail := func(kind string, err error) answer {
		return answer{Error: &failure{Kind: kind, Message: err.Error()}}
	}
	m, err := decode(req.ManagedFields)
	if err != nil {
		return fail("managedFields", err)
	}
	switch req.Op {
	case "check":
		if _, err := g.typedValue(req.Type, req.Object); err != nil {
			return fail("typed", err)
		}
		return answer{Object: req.Object}
	case "update":
		live, err := g.typedValue(req.Type, req.Live)
		if err != nil {
			return fail("typed", fmt.Errorf("failed to create typed live object: %v", err))
		}
		obj, err := g.typedValue(req.Type, req.Object)
		if err != nil {
			return fail("typed", fmt.Errorf("failed to create typed new object: %v", err))
		}
		// skipnonapplied.go Update: an existing object nobody tracks stays untracked.
		if len(m.fields) == 0 && !req.Create {
			return answer{Object: req.Object, ManagedFields: []entry{}}
		}
		m, err = g.update(req, live, obj, m)
		if err != nil {
			return fail("internal", err)
		}
		out, err := encode(m)
		if err != nil {
			return fail("internal", err)
		}
		return answer{Object: req.Object, ManagedFields: out}
	case "apply":
		live, err := g.typedValue(req.Type, req.Live)
		if err != nil {
			return fail("typed", fmt.Errorf("failed to create typed live object: %v", err))
		}
		config, err := g.typedValue(req.Type, req.Object)
		if err != nil {
			return fail("typed", err)
		}
		// skipnonapplied.go Apply: an object created before managedFields existed is first
		// given to "before-first-apply" as an Update of everything it holds.
		if len(m.fields) == 0 && !req.Create {
			empty, _ := g.typedValue(req.Type, nil)
			first := req
			first.Manager = "before-first-apply"
			if m, err = g.update(first, empty, live, m); err != nil {
				return fail("internal", err)
			}
		}
		id := identifier(entry{Manager: req.Manager, Operation: "Apply"})
		merged, fields, err := g.updater.Apply(live, config, fieldpath.APIVersion(req.APIVersion), m.fields, id, req.Force)
		if err != nil {
			if conflicts, ok := err.(merge.Conflicts); ok {
				return answer{Error: conflictFailure(conflicts)}
			}
			return fail("internal", err)
		}
		m.fields = fields
		g.strip(m, id)
		var object interface{}
		if merged != nil {
			object = merged.AsValue().Unstructured()
			m.times[id] = req.Time
		}
		out, err := encode(m)
		if err != nil {
			return fail("internal", err)
		}
		return answer{Object: object, ManagedFields: out}
	}
	return fail("internal", fmt.Errorf("unknown op %q", req.Op))
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: smd-helper SCHEMA.yaml")
		os.Exit(2)
	}
	text, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	parser, err := typed.NewParser(typed.YAMLObject(text))
	if err != nil {
		fmt.Fprintln(os.Stderr, "schema:", err)
		os.Exit(2)
	}
	g := &engine{parser: parser, updater: &merge.Updater{
		Converter: identity{}, IgnoredFields: map[fieldpath.APIVersion]*fieldpath.Set{}}}
	for _, v := range []string{"v1", "apps/v1", "policy/v1"} {
		g.updater.IgnoredFields[fieldpath.APIVersion(v)] = ignored
	}
	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	out := bufio.NewWriter(os.Stdout)
	for {
		line, err := in.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			var req request
			var ans answer
			if jerr := json.Unmarshal(line, &req); jerr != nil {
				ans = answer{Error: &failure{Kind: "internal", Message: jerr.Error()}}
			} else {
				ans = g.handle(req)
			}
			b, _ := json.Marshal(ans)
			out.Write(b)
			out.WriteByte('\n')
			out.Flush()
		}
		if err != nil {
			return
		}
	}
}
