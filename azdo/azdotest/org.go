package azdotest

import (
	"crypto/sha1"
	"fmt"
)

// Org is the content of a fake Azure DevOps organization (not an
// organization of your platform, which only the feature gate sees).
type Org struct {
	// Name is the organization's name, the first path segment of its URL:
	// letters, digits, '.', '_' and '-'. Empty means "fabrikam".
	Name string
	// ID is the organization's ID (its host ID), a UUID, by which the
	// location service finds it as well as by name. Empty means an ID
	// derived from Name; [Server.OrgID] tells it.
	ID        string
	Processes []Process
	Projects  []Project
}

// Process is a work item process: system (Agile, Scrum, CMMI, Basic) or
// inherited from one.
type Process struct {
	ID       string // a UUID
	Name     string
	ParentID string // the system process an inherited one derives from; "" for system processes
	// WorkItemTypes are the process's types, complete (an inherited process
	// lists its parent's types too).
	WorkItemTypes []WorkItemType
	// XML marks a process of the XML model (Hosted XML on Services,
	// On-premises XML on Server): the process list shows it as "custom",
	// and its work item type and state routes answer 400 VS402362, as the
	// service was seen to. Its projects' own work item type routes work.
	XML bool
	// ListsNoProjects leaves the process's projects out of the process
	// list ($expand=projects), as XML collections may.
	ListsNoProjects bool
}

// WorkItemType is a work item type of a process.
type WorkItemType struct {
	Name          string // display name, e.g. "Bug"
	ReferenceName string // e.g. "Microsoft.VSTS.WorkItemTypes.Bug"
	// Inherits is the parent type's reference name for a type customized
	// in an inherited process; "" otherwise.
	Inherits string
	Disabled bool
	States   []State // in order
	// Category is the reference name of the type's category, such as
	// BugCategory; "" puts the system Bug, and types inheriting from it,
	// in the Bug category and other types in none. The first type of a
	// process in a category is the category's default type.
	Category string
}

// BugCategory is the category whose default type a project files bugs as.
const BugCategory = "Microsoft.BugCategory"

const systemBug = "Microsoft.VSTS.WorkItemTypes.Bug"

// State is a work item state.
type State struct {
	Name     string
	Category string // Proposed, InProgress, Resolved, Completed or Removed
	Color    string
	Hidden   bool
}

// Project is a project of the organization.
type Project struct {
	ID        string // a UUID
	Name      string
	ProcessID string
	// State is the project's state; "" means wellFormed.
	State string
}

// IDs of the system processes, as Azure DevOps has them.
const (
	AgileProcessID = "adcc42ab-9882-485e-a3ed-7678f01f66bc"
	ScrumProcessID = "6b724908-ef14-45cf-84f8-768b5384da45"
	CMMIProcessID  = "27450541-8e31-4150-9947-dc59f998fc01"
	BasicProcessID = "b8a3a935-7e91-48b8-a94c-606d37c3e9f2"
)

// StableID derives a UUID-shaped ID from a name, so that generated
// organizations are the same on every run.
func StableID(name string) string {
	h := sha1.Sum([]byte(name))
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

var (
	proposed   = func(n string) State { return State{Name: n, Category: "Proposed", Color: "b2b2b2"} }
	inProgress = func(n string) State { return State{Name: n, Category: "InProgress", Color: "007acc"} }
	resolved   = func(n string) State { return State{Name: n, Category: "Resolved", Color: "ff9d00"} }
	completed  = func(n string) State { return State{Name: n, Category: "Completed", Color: "339933"} }
	removed    = func(n string) State { return State{Name: n, Category: "Removed", Color: "ffffff"} }
)

func systemType(name string, states ...State) WorkItemType {
	return WorkItemType{Name: name, ReferenceName: "Microsoft.VSTS.WorkItemTypes." + name, States: states}
}

// AgileProcess returns the Agile system process with the states Azure
// DevOps gives its Bug, Issue and Task types.
func AgileProcess() Process {
	return Process{ID: AgileProcessID, Name: "Agile", WorkItemTypes: []WorkItemType{
		systemType("Bug", proposed("New"), inProgress("Active"), resolved("Resolved"), completed("Closed")),
		systemType("Issue", inProgress("Active"), completed("Closed")),
		systemType("Task", proposed("New"), inProgress("Active"), completed("Closed"), removed("Removed")),
	}}
}

// ScrumProcess returns the Scrum system process (Bug, Impediment, Task).
func ScrumProcess() Process {
	return Process{ID: ScrumProcessID, Name: "Scrum", WorkItemTypes: []WorkItemType{
		systemType("Bug", proposed("New"), proposed("Approved"), inProgress("Committed"), completed("Done"), removed("Removed")),
		systemType("Impediment", inProgress("Open"), completed("Closed")),
		systemType("Task", proposed("To Do"), inProgress("In Progress"), completed("Done"), removed("Removed")),
	}}
}

// CMMIProcess returns the CMMI system process (Bug, Issue, Task).
func CMMIProcess() Process {
	return Process{ID: CMMIProcessID, Name: "CMMI", WorkItemTypes: []WorkItemType{
		systemType("Bug", proposed("Proposed"), inProgress("Active"), resolved("Resolved"), completed("Closed")),
		systemType("Issue", proposed("Proposed"), inProgress("Active"), resolved("Resolved"), completed("Closed")),
		systemType("Task", proposed("Proposed"), inProgress("Active"), inProgress("Resolved"), completed("Closed")),
	}}
}

// BasicProcess returns the Basic system process, which has no Bug type.
func BasicProcess() Process {
	return Process{ID: BasicProcessID, Name: "Basic", WorkItemTypes: []WorkItemType{
		systemType("Epic", proposed("To Do"), inProgress("Doing"), completed("Done")),
		systemType("Issue", proposed("To Do"), inProgress("Doing"), completed("Done")),
		systemType("Task", proposed("To Do"), inProgress("Doing"), completed("Done")),
	}}
}

// CustomAgileProcess returns "Agile Custom", inherited from Agile, whose
// customized Bug has an extra "Triaged" state and a hidden one.
func CustomAgileProcess() Process {
	p := AgileProcess()
	p.ID, p.Name, p.ParentID = StableID("process/Agile Custom"), "Agile Custom", AgileProcessID
	types := make([]WorkItemType, len(p.WorkItemTypes))
	copy(types, p.WorkItemTypes)
	types[0] = WorkItemType{
		Name: "Bug", ReferenceName: "AgileCustom.Bug", Inherits: "Microsoft.VSTS.WorkItemTypes.Bug",
		States: []State{
			proposed("New"), {Name: "Triaged", Category: "Proposed", Color: "5688e0"}, inProgress("Active"),
			{Name: "Parked", Category: "InProgress", Color: "cccccc", Hidden: true},
			resolved("Resolved"), completed("Closed"),
		},
	}
	p.WorkItemTypes = types
	return p
}

// germanAgileProcess returns the Agile system process of a collection
// created in German: display names and state names are German (Fehler,
// Problem, Aufgabe; Neu, Aktiv, Gelöst, Geschlossen), reference names and
// state categories are those of every language.
func germanAgileProcess() Process {
	german := func(name, ref string, states ...State) WorkItemType {
		return WorkItemType{Name: name, ReferenceName: "Microsoft.VSTS.WorkItemTypes." + ref, States: states}
	}
	return Process{ID: AgileProcessID, Name: "Agile", WorkItemTypes: []WorkItemType{
		german("Fehler", "Bug", proposed("Neu"), inProgress("Aktiv"), resolved("Gelöst"), completed("Geschlossen")),
		german("Problem", "Issue", inProgress("Aktiv"), completed("Geschlossen")),
		german("Aufgabe", "Task", proposed("Neu"), inProgress("Aktiv"), completed("Geschlossen"), removed("Entfernt")),
	}}
}

// DefectProcess returns "Agile Defect", an XML process whose Bug category
// defaults to a custom type, Defect (reference name Custom.Defect), with
// states of its own; the system Bug is still there, second in the
// category.
func DefectProcess() Process {
	p := AgileProcess()
	p.ID, p.Name, p.XML = StableID("process/Agile Defect"), "Agile Defect", true
	defect := WorkItemType{
		Name: "Defect", ReferenceName: "Custom.Defect", Category: BugCategory,
		States: []State{proposed("Reported"), inProgress("Fixing"), resolved("Fixed"), completed("Verified")},
	}
	p.WorkItemTypes = append([]WorkItemType{defect}, p.WorkItemTypes...)
	return p
}

// LocalizedOrg is an on-premises collection created in German: "Webshop"
// uses the German Agile process through the process API, "Lager" a
// German XML copy of it (asked project by project), and "Mängel" the XML
// process DefectProcess, whose Bug category defaults to a custom type.
func LocalizedOrg() Org {
	xml := germanAgileProcess()
	xml.ID, xml.Name, xml.XML = StableID("process/Agile XML (de)"), "Agile XML", true
	defect := DefectProcess()
	project := func(name, process string) Project {
		return Project{ID: StableID("project/" + name), Name: name, ProcessID: process}
	}
	return Org{
		Name:      "DefaultCollection",
		Processes: []Process{germanAgileProcess(), xml, defect},
		Projects: []Project{
			project("Webshop", AgileProcessID),
			project("Lager", xml.ID),
			project("Mängel", defect.ID),
		},
	}
}

// SampleOrg is a small organization with a project on each system process
// and one on an inherited process with a custom state.
func SampleOrg() Org {
	custom := CustomAgileProcess()
	project := func(name, process string) Project {
		return Project{ID: StableID("project/" + name), Name: name, ProcessID: process}
	}
	return Org{
		Name:      "fabrikam",
		Processes: []Process{AgileProcess(), ScrumProcess(), CMMIProcess(), BasicProcess(), custom},
		Projects: []Project{
			project("Fabrikam Fiber", AgileProcessID),
			project("Contoso Web", ScrumProcessID),
			project("Tailspin Toys", CMMIProcessID),
			project("basic-tracker", BasicProcessID),
			project("Woodgrove Bank", custom.ID),
		},
	}
}

// ScaledOrg is an organization of n projects spread round-robin over the
// four system processes, named "Project 0001" and so on. n below 0 counts
// as 0.
func ScaledOrg(n int) Org {
	n = max(n, 0)
	procs := []Process{AgileProcess(), ScrumProcess(), CMMIProcess(), BasicProcess()}
	o := Org{Name: "scaled", Processes: procs, Projects: make([]Project, n)}
	for i := range n {
		name := fmt.Sprintf("Project %04d", i+1)
		o.Projects[i] = Project{ID: StableID("project/" + name), Name: name, ProcessID: procs[i%len(procs)].ID}
	}
	return o
}

// cloneOrg copies org deeply, so that the server shares no memory with its
// caller.
func cloneOrg(org Org) Org {
	org.Projects = append([]Project(nil), org.Projects...)
	org.Processes = append([]Process(nil), org.Processes...)
	for i := range org.Processes {
		p := &org.Processes[i]
		p.WorkItemTypes = append([]WorkItemType(nil), p.WorkItemTypes...)
		for j := range p.WorkItemTypes {
			t := &p.WorkItemTypes[j]
			t.States = append([]State(nil), t.States...)
		}
	}
	return org
}

// checkOrg refuses what the fake could not serve as Azure DevOps would: a
// name that is not one path segment of the URL, and IDs that are not UUIDs
// (the SDK parses every project and process ID as one, so a test would
// fail in the client with "invalid UUID length").
func checkOrg(org Org) error {
	if !validOrgName(org.Name) {
		return fmt.Errorf("organization name %q must be letters, digits, '.', '_' or '-': it is a path segment of the URL", org.Name)
	}
	if !isUUID(org.ID) {
		return fmt.Errorf("organization id %q is not a UUID", org.ID)
	}
	for i, p := range org.Processes {
		if !isUUID(p.ID) {
			return fmt.Errorf("process %d (%q): id %q is not a UUID", i, p.Name, p.ID)
		}
	}
	for i, p := range org.Projects {
		if !isUUID(p.ID) {
			return fmt.Errorf("project %d (%q): id %q is not a UUID", i, p.Name, p.ID)
		}
	}
	return nil
}

func validOrgName(name string) bool {
	if name == "" || name == "." || name == ".." {
		return false
	}
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
		default:
			return false
		}
	}
	return true
}

// isUUID reports whether s is a UUID in its usual 8-4-4-4-12 hex form, in
// either case.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}
